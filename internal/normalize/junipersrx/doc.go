// Package junipersrx parses Juniper SRX (Junos) security logs sent in
// structured-data mode (RFC 5424 with an SD element "junos@2636...."):
// RT_FLOW session create/close/deny, RT_IDP attacks, RT_UTM web filtering
// and antivirus, RT_SCREEN and APPTRACK, mapped to ECS as Elastic's
// juniper_srx integration does, plus juniper.srx.*.
//
// Place in the pipeline: collect/syslog → normalize (this parser) →
// records.
package junipersrx
