# drop blank lines, shout "the", note the messages
/^$/d
s/the/THE/g
/message/{
  s/message/note/
  a\
(appended after a match)
}
