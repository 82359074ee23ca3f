// Package m365 parses Microsoft 365 unified audit log records (the
// Office 365 Management Activity API's JSON objects, one per line: Exchange
// admin and mailbox, SharePoint/OneDrive, Azure AD, Teams, DLP, ...),
// mapped to ECS as Elastic's o365 integration does, plus o365.audit.* for
// what ECS lacks.
//
// Place in the pipeline: collect (Management Activity API poller, file
// reader) → normalize (this parser) → records.
package m365
