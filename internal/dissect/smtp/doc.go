// Package smtp parses SMTP sessions (RFC 5321) including pipelining,
// BDAT chunking (RFC 3030), AUTH user names and STARTTLS (RFC 3207): the
// greeting, HELO/EHLO, MAIL FROM, every RCPT TO, the message headers of
// each DATA/BDAT body (from, to, cc, reply-to, subject, date, message-id,
// in-reply-to, user agent/X-Mailer, X-Originating-IP) and the last reply,
// one Transaction per mail transaction (RSET or a new MAIL starts
// another).
//
// It sits in the dissect stage: after flow reassembly the dissect framework
// feeds both directions of a TCP stream to a Session (FeedClient,
// FeedServer) in capture order, one in-order payload at a time. After a
// 220 reply to STARTTLS the rest of both directions is TLS: the Session
// stops parsing, sets StartTLS and the framework may hand the remaining
// bytes to the TLS dissector.
//
// The package is pure and bounded: at most one line per direction
// (Config.MaxLineLen), Config.MaxHeaderBytes of message header per
// transaction, Config.MaxPending pipelined commands, MaxRecipients
// recipients and Config.MaxTransactions finished transactions waiting for
// Drain. Errors wrap ErrTruncated, ErrMalformed or ErrTooLarge; they
// concern one line, and parsing resumes at the next line.
package smtp
