// Package ftp parses FTP control connections (RFC 959, RFC 2428 for IPv6,
// RFC 4217 AUTH TLS): the user name (never the password), every command
// with its argument and final reply (code and text), the working directory
// and the resolved path of file commands (RETR, STOR, STOU, APPE, DELE,
// SIZE, MDTM), and the data connections announced by PORT, EPRT, and the
// 227 (PASV) and 229 (EPSV) replies, so the dissect framework can link a
// data connection to its control connection.
//
// It sits in the dissect stage: the framework feeds both directions of the
// control connection to a Session in capture order (FeedClient,
// FeedServer) and takes finished commands with Drain. After a 234 reply to
// AUTH TLS/SSL the rest is TLS: the Session stops and sets TLS.
//
// The package is pure and bounded: one line per direction
// (Config.MaxLineLen), Config.MaxPending commands awaiting a reply and
// Config.MaxCommands finished commands awaiting Drain (older ones are
// dropped and counted). Errors wrap ErrTruncated, ErrMalformed or
// ErrTooLarge; they concern one line, and parsing resumes at the next.
package ftp
