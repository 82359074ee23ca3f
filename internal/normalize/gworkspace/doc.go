// Package gworkspace parses Google Workspace activity records (Admin SDK
// Reports API activities, one event per line: login, admin, drive, token,
// saml, ...), mapped to ECS as Elastic's google_workspace integration
// does, plus google_workspace.* for what ECS lacks. It registers as
// "googleworkspace".
//
// Place in the pipeline: collect (Reports API poller, file reader) →
// normalize (this parser) → records.
package gworkspace
