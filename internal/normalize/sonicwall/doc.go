// Package sonicwall parses SonicWall SonicOS "enhanced syslog" key=value
// logs (id=... sn=... time=... m=... msg=...): connections, web hits,
// logins, drops and intrusion alerts, mapped to ECS as Elastic's
// sonicwall_firewall integration does, plus sonicwall.firewall.*.
//
// Place in the pipeline: collect/syslog → normalize (this parser) →
// records.
package sonicwall
