# dunmail with Dovecot's LDA / LMTP and Pigeonhole's extprograms plugin.
# The message is piped to dunmail, which records it; delivery goes on
# unchanged whatever dunmail does.  See 90-dunmail.conf beside this file.
require ["vnd.dovecot.execute"];
execute :pipe "dunmail-filter" ["filter", "--observe"];
