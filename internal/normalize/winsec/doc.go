// Package winsec parses Windows event log records shipped as JSON — the
// documents of Winlogbeat or the Elastic Agent (winlog.* with event_data)
// and NXLog's im_msvistalog JSON (EventID, Channel and the event data at
// the top level) — with the Security channel's logon, account, group,
// process and Kerberos events mapped to ECS as Elastic's windows
// integration does, plus winlog.* for what ECS lacks. It registers as
// "windows".
//
// Place in the pipeline: collect (syslog, Beats/HTTP receiver, file) →
// normalize (this parser) → records.
package winsec
