/* HTML to text: layout, entities, dropped elements and quote containers. */
#include "tests/unit/testutil.h"

#include "filter/html.h"

static char *
convert(const char *html, bool drop_quotes)
{
	return html_to_text(html, strlen(html), drop_quotes);
}

static void
assert_converts(const char *html, bool drop_quotes, const char *expected)
{
	char *text = convert(html, drop_quotes);
	assert_string_equal(text, expected);
	g_free(text);
}

static void
test_blocks_and_breaks(void **state)
{
	assert_converts("<p>One</p><p>Two</p>", false, "One\n\nTwo");
	assert_converts("<div>a</div><div>b</div>", false, "a\nb");
	assert_converts("line<br>next<br/>last", false, "line\nnext\nlast");
	assert_converts("<div><div><div>deep</div></div></div><p>after</p>", false,
	                "deep\n\nafter");
}

static void
test_whitespace_collapses(void **state)
{
	assert_converts("<p>  many \n\t spaces   here </p>", false, "many spaces here");
	assert_converts("<p>&nbsp;</p><p>x&nbsp;&nbsp;y</p>", false, "x y");
	assert_converts("<b>bold</b> <i>italic</i>", false, "bold italic");
	assert_converts("<span>a</span><span>b</span>", false, "ab");
}

static void
test_lists_and_tables(void **state)
{
	assert_converts("<ul><li>first</li><li>second</li></ul>", false, "- first\n- second");
	assert_converts("<table><tr><td>Invoice</td><td>Amount</td></tr>"
	                "<tr><td>2024-17</td><td>1 200,00 EUR</td></tr></table>",
	                false, "Invoice\tAmount\n2024-17\t1 200,00 EUR");
}

static void
test_entities_decoded(void **state)
{
	assert_converts("<p>&lt;b&gt; &amp; &eacute;t&eacute; &#322;&#x105;</p>", false,
	                "<b> & été łą");
}

static void
test_dropped_elements(void **state)
{
	assert_converts(
	    "<html><head><title>T</title><style>p{color:red}</style></head>"
	    "<body><script>alert(1)</script><p>Visible</p><!-- comment --></body></html>",
	    false, "Visible");
}

static void
test_meta_charset_ignored(void **state)
{
	/* The caller decoded the MIME charset already: UTF-8 must stay UTF-8. */
	assert_converts("<html><head><meta http-equiv=\"Content-Type\" "
	                "content=\"text/html; charset=iso-8859-1\"></head>"
	                "<body>Zapłacę w piątek</body></html>",
	                false, "Zapłacę w piątek");
}

static void
test_gmail_quote_dropped(void **state)
{
	const char *html = "<div dir=\"ltr\">Paid today.</div><br><div class=\"gmail_quote\">"
	                   "<div class=\"gmail_attr\">On Mon, Billing wrote:<br></div>"
	                   "<blockquote class=\"gmail_quote\">Invoice overdue</blockquote></div>";
	assert_converts(html, true, "Paid today.");
	char *kept = convert(html, false);
	assert_non_null(strstr(kept, "Invoice overdue"));
	assert_non_null(strstr(kept, "On Mon, Billing wrote:"));
	g_free(kept);
}

static void
test_cite_blockquotes_dropped(void **state)
{
	assert_converts("<div>We will pay Friday.</div><div class=\"moz-cite-prefix\">On 13.05 "
	                "Billing wrote:</div><blockquote type=\"cite\">Reminder</blockquote>",
	                true, "We will pay Friday.");
	assert_converts("<p>Top</p><blockquote>anything quoted</blockquote><p>Bottom</p>", true,
	                "Top\n\nBottom");
	assert_converts("<div>Ok</div><div class=\"yahoo_quoted\">On Monday ... wrote</div>", true,
	                "Ok");
}

static void
test_outlook_headers_end_the_reply(void **state)
{
	assert_converts(
	    "<div>Betaald.</div><div id=\"appendonsend\"></div><hr>"
	    "<div id=\"divRplyFwdMsg\"><b>From:</b> Billing</div><div>Reminder text</div>",
	    true, "Betaald.");
	assert_converts("<p>Paid.</p><div id=\"divRplyFwdMsg\">From: x</div><p>Old</p>", true,
	                "Paid.");
	assert_converts("<p>Zaplacone.</p><div style=\"border:none; border-top:solid #E1E1E1 "
	                "1.0pt;padding:3.0pt 0cm 0cm 0cm\"><p><b>From:</b> Billing</p></div>"
	                "<p>Quoted reminder</p>",
	                true, "Zaplacone.");
	assert_converts("<p>Paid.</p><div class=\"OutlookMessageHeader\">-----Original "
	                "Message-----</div><p>Old</p>",
	                true, "Paid.");
	/* Without drop_quotes everything stays. */
	char *all = convert("<p>Paid.</p><div id=\"divRplyFwdMsg\">From: x</div><p>Old</p>", false);
	assert_string_equal(all, "Paid.\n\nFrom: x\n\nOld");
	g_free(all);
}

static void
test_broken_html_recovers(void **state)
{
	assert_converts("<p>unclosed <b>bold <div>and div", false, "unclosed bold\nand div");
	assert_converts("", false, "");
	assert_converts("plain text, no tags", false, "plain text, no tags");
	/* Invalid UTF-8 never leaks out. */
	const char *bad = "<p>bad \xff\xfe bytes</p>";
	char *text = html_to_text(bad, strlen(bad), false);
	assert_true(g_utf8_validate(text, -1, NULL));
	g_free(text);
}

static void
test_deep_nesting_bounded(void **state)
{
	GString *html = g_string_new(NULL);
	for (int i = 0; i < 20000; i++)
		g_string_append(html, "<div>");
	g_string_append(html, "deep");
	char *text = html_to_text(html->str, html->len, true);
	assert_true(g_utf8_validate(text, -1, NULL));
	g_free(text);
	g_string_free(html, TRUE);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_blocks_and_breaks),
	    cmocka_unit_test(test_whitespace_collapses),
	    cmocka_unit_test(test_lists_and_tables),
	    cmocka_unit_test(test_entities_decoded),
	    cmocka_unit_test(test_dropped_elements),
	    cmocka_unit_test(test_meta_charset_ignored),
	    cmocka_unit_test(test_gmail_quote_dropped),
	    cmocka_unit_test(test_cite_blockquotes_dropped),
	    cmocka_unit_test(test_outlook_headers_end_the_reply),
	    cmocka_unit_test(test_broken_html_recovers),
	    cmocka_unit_test(test_deep_nesting_bounded),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
