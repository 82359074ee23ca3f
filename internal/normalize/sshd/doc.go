// Package sshd parses the authentication lines of a Linux host's
// auth.log / secure log: sshd logins, failures, invalid users and
// disconnects, PAM session and authentication-failure lines, sudo
// commands, and the account tools (useradd, groupadd, userdel,
// groupdel), mapped to ECS as Elastic's system integration (auth data
// stream) does, plus system.auth.* for what ECS lacks.
//
// Place in the pipeline: collect/syslog (or a file reader) → normalize
// (this parser) → records.
package sshd
