package appid

import (
	"maps"
	"slices"
)

// categories is the fixed set of application categories with what each
// covers. It is small on purpose: a category is what a SOC analyst filters
// or aggregates on ("all cloud storage uploads", "remote access tools"),
// so each must be distinct enough to drive a decision. README.md lists the
// same set; a test keeps the two in step.
var categories = map[string]string{
	"advertising":        "ad networks, ad exchanges and ad servers",
	"ai":                 "generative AI assistants and model APIs",
	"analytics":          "audience measurement, product analytics, tag managers, attribution and crash-reporting SDKs",
	"app_store":          "application stores and their download hosts",
	"cdn":                "content delivery networks and shared edges whose traffic can belong to any of their customers",
	"chat":               "instant messaging",
	"cloud_provider":     "public IaaS and PaaS clouds",
	"cloud_storage":      "file sync and share, personal cloud drives, photo backup",
	"collaboration":      "office suites, workplace SaaS, project management, CRM",
	"crypto_currency":    "cryptocurrency exchanges, wallets and mining pools",
	"developer":          "code hosting, package registries, developer tools and APIs",
	"ecommerce":          "online shops and marketplaces",
	"education":          "e-learning and online courses",
	"email":              "webmail and mail services",
	"file_sharing":       "peer-to-peer file sharing: BitTorrent and other P2P clients, trackers and index sites",
	"finance":            "banks, payment services and brokers",
	"game":               "game platforms, stores and online games",
	"iot":                "smart-home and consumer devices and their clouds",
	"music":              "music, audio and podcast streaming",
	"network_service":    "infrastructure names: public DNS and DNS over HTTPS/TLS resolvers, time servers, connectivity checks",
	"news":               "news and media sites",
	"platform":           "operating-system vendor services: accounts, push, sync, telemetry, location, assistants",
	"remote_access":      "remote desktop and remote support tools",
	"search":             "web search engines and portals",
	"security":           "antivirus and endpoint protection clouds, threat intelligence, certificate revocation (OCSP, CRL)",
	"social_network":     "social networks and community sites",
	"software_update":    "operating-system and application update services",
	"streaming":          "video streaming, live video and video sharing",
	"travel":             "travel booking, lodging, ride hailing and maps",
	"video_conferencing": "online meetings and webinars",
	"voip":               "internet telephony and calling",
	"vpn_proxy":          "VPN services, anonymizers and proxy networks",
	"web":                "general web sites, reference works, hosting and web services that fit no narrower category",
}

// CategoryNames returns the known categories, sorted.
func CategoryNames() []string { return slices.Sorted(maps.Keys(categories)) }

// CategoryDoc returns what a category covers, or "" for an unknown one.
func CategoryDoc(name string) string { return categories[name] }
