// Package auditd parses Linux audit records as auditd writes them to
// /var/log/audit/audit.log ("type=SYSCALL msg=audit(1700000000.123:42):
// key=value ..."), also with audisp's node= prefix or the kernel's
// "audit: type=1300 audit(...)" form over syslog, mapped to ECS as
// Elastic's auditd integration does, plus auditd.log.* for what ECS
// lacks.
//
// Place in the pipeline: collect/syslog (or a file reader) → normalize
// (this parser) → records.
package auditd
