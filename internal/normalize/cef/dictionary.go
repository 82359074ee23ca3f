package cef

// kind is how an extension's value is typed.
type kind uint8

const (
	kString kind = iota
	kInt
	kFloat
	kIP
	kTime
	kMAC
)

// extension is one entry of the CEF extension dictionary: the full name
// (cef.extensions.<full>), its type, and the ECS field it also fills.
type extension struct {
	full, ecs string
	field     string // "cef.extensions." + full, built once
	kind      kind
}

// dictionary maps CEF keys (short or full) to their entry. Names and
// types follow ArcSight's CEF implementation standard; the ECS targets
// follow Filebeat's decode_cef mapping.
var dictionary = buildDictionary()

func buildDictionary() map[string]extension {
	d := map[string]extension{}
	def := func(short, full string, k kind, ecs string) {
		x := extension{full: full, ecs: ecs, field: "cef.extensions." + full, kind: k}
		d[short] = x
		d[full] = x
	}
	def("act", "deviceAction", kString, "event.action")
	def("app", "applicationProtocol", kString, "network.protocol")
	def("c6a1", "deviceCustomIPv6Address1", kIP, "")
	def("c6a1Label", "deviceCustomIPv6Address1Label", kString, "")
	def("c6a2", "deviceCustomIPv6Address2", kIP, "")
	def("c6a2Label", "deviceCustomIPv6Address2Label", kString, "")
	def("c6a3", "deviceCustomIPv6Address3", kIP, "")
	def("c6a3Label", "deviceCustomIPv6Address3Label", kString, "")
	def("c6a4", "deviceCustomIPv6Address4", kIP, "")
	def("c6a4Label", "deviceCustomIPv6Address4Label", kString, "")
	def("cat", "deviceEventCategory", kString, "")
	def("cfp1", "deviceCustomFloatingPoint1", kFloat, "")
	def("cfp1Label", "deviceCustomFloatingPoint1Label", kString, "")
	def("cfp2", "deviceCustomFloatingPoint2", kFloat, "")
	def("cfp2Label", "deviceCustomFloatingPoint2Label", kString, "")
	def("cfp3", "deviceCustomFloatingPoint3", kFloat, "")
	def("cfp3Label", "deviceCustomFloatingPoint3Label", kString, "")
	def("cfp4", "deviceCustomFloatingPoint4", kFloat, "")
	def("cfp4Label", "deviceCustomFloatingPoint4Label", kString, "")
	def("cn1", "deviceCustomNumber1", kInt, "")
	def("cn1Label", "deviceCustomNumber1Label", kString, "")
	def("cn2", "deviceCustomNumber2", kInt, "")
	def("cn2Label", "deviceCustomNumber2Label", kString, "")
	def("cn3", "deviceCustomNumber3", kInt, "")
	def("cn3Label", "deviceCustomNumber3Label", kString, "")
	def("cnt", "baseEventCount", kInt, "")
	def("cs1", "deviceCustomString1", kString, "")
	def("cs1Label", "deviceCustomString1Label", kString, "")
	def("cs2", "deviceCustomString2", kString, "")
	def("cs2Label", "deviceCustomString2Label", kString, "")
	def("cs3", "deviceCustomString3", kString, "")
	def("cs3Label", "deviceCustomString3Label", kString, "")
	def("cs4", "deviceCustomString4", kString, "")
	def("cs4Label", "deviceCustomString4Label", kString, "")
	def("cs5", "deviceCustomString5", kString, "")
	def("cs5Label", "deviceCustomString5Label", kString, "")
	def("cs6", "deviceCustomString6", kString, "")
	def("cs6Label", "deviceCustomString6Label", kString, "")
	def("destinationDnsDomain", "destinationDnsDomain", kString, "")
	def("destinationServiceName", "destinationServiceName", kString, "destination.service.name")
	def("destinationTranslatedAddress", "destinationTranslatedAddress", kIP, "destination.nat.ip")
	def("destinationTranslatedPort", "destinationTranslatedPort", kInt, "destination.nat.port")
	def("deviceCustomDate1", "deviceCustomDate1", kTime, "")
	def("deviceCustomDate1Label", "deviceCustomDate1Label", kString, "")
	def("deviceCustomDate2", "deviceCustomDate2", kTime, "")
	def("deviceCustomDate2Label", "deviceCustomDate2Label", kString, "")
	def("deviceDirection", "deviceDirection", kInt, "")
	def("deviceDnsDomain", "deviceDnsDomain", kString, "")
	def("deviceExternalId", "deviceExternalId", kString, "observer.name")
	def("deviceFacility", "deviceFacility", kString, "")
	def("deviceInboundInterface", "deviceInboundInterface", kString, "observer.ingress.interface.name")
	def("deviceNtDomain", "deviceNtDomain", kString, "")
	def("deviceOutboundInterface", "deviceOutboundInterface", kString, "observer.egress.interface.name")
	def("devicePayloadId", "devicePayloadId", kString, "")
	def("deviceProcessName", "deviceProcessName", kString, "process.name")
	def("deviceTranslatedAddress", "deviceTranslatedAddress", kIP, "")
	def("dhost", "destinationHostName", kString, "destination.domain")
	def("dmac", "destinationMacAddress", kMAC, "destination.mac")
	def("dntdom", "destinationNtDomain", kString, "destination.user.domain")
	def("dpid", "destinationProcessId", kInt, "")
	def("dpriv", "destinationUserPrivileges", kString, "destination.user.group.name")
	def("dproc", "destinationProcessName", kString, "")
	def("dpt", "destinationPort", kInt, "destination.port")
	def("dst", "destinationAddress", kIP, "destination.ip")
	def("dtz", "deviceTimeZone", kString, "event.timezone")
	def("duid", "destinationUserId", kString, "destination.user.id")
	def("duser", "destinationUserName", kString, "destination.user.name")
	def("dvc", "deviceAddress", kIP, "observer.ip")
	def("dvchost", "deviceHostName", kString, "observer.hostname")
	def("dvcmac", "deviceMacAddress", kMAC, "observer.mac")
	def("dvcpid", "deviceProcessId", kInt, "process.pid")
	def("end", "endTime", kTime, "event.end")
	def("eventId", "eventId", kInt, "event.id")
	def("externalId", "externalId", kString, "")
	def("fileCreateTime", "fileCreateTime", kTime, "file.created")
	def("fileHash", "fileHash", kString, "")
	def("fileId", "fileId", kString, "file.inode")
	def("fileModificationTime", "fileModificationTime", kTime, "file.mtime")
	def("filePath", "filePath", kString, "file.path")
	def("filePermission", "filePermission", kString, "")
	def("fileType", "fileType", kString, "file.extension")
	def("fname", "fileName", kString, "file.name")
	def("fsize", "fileSize", kInt, "file.size")
	def("in", "bytesIn", kInt, "source.bytes")
	def("msg", "message", kString, "message")
	def("oldFileCreateTime", "oldFileCreateTime", kTime, "")
	def("oldFileHash", "oldFileHash", kString, "")
	def("oldFileId", "oldFileId", kString, "")
	def("oldFileModificationTime", "oldFileModificationTime", kTime, "")
	def("oldFileName", "oldFileName", kString, "")
	def("oldFilePath", "oldFilePath", kString, "")
	def("oldFileSize", "oldFileSize", kInt, "")
	def("oldFileType", "oldFileType", kString, "")
	def("out", "bytesOut", kInt, "destination.bytes")
	def("outcome", "eventOutcome", kString, "event.outcome")
	def("proto", "transportProtocol", kString, "network.transport")
	def("reason", "reason", kString, "event.reason")
	def("request", "requestUrl", kString, "url.original")
	def("requestClientApplication", "requestClientApplication", kString, "user_agent.original")
	def("requestContext", "requestContext", kString, "http.request.referrer")
	def("requestCookies", "requestCookies", kString, "")
	def("requestMethod", "requestMethod", kString, "http.request.method")
	def("rt", "deviceReceiptTime", kTime, "@timestamp")
	def("shost", "sourceHostName", kString, "source.domain")
	def("smac", "sourceMacAddress", kMAC, "source.mac")
	def("sntdom", "sourceNtDomain", kString, "source.user.domain")
	def("sourceDnsDomain", "sourceDnsDomain", kString, "")
	def("sourceServiceName", "sourceServiceName", kString, "source.service.name")
	def("sourceTranslatedAddress", "sourceTranslatedAddress", kIP, "source.nat.ip")
	def("sourceTranslatedPort", "sourceTranslatedPort", kInt, "source.nat.port")
	def("spid", "sourceProcessId", kInt, "")
	def("spriv", "sourceUserPrivileges", kString, "source.user.group.name")
	def("sproc", "sourceProcessName", kString, "")
	def("spt", "sourcePort", kInt, "source.port")
	def("src", "sourceAddress", kIP, "source.ip")
	def("start", "startTime", kTime, "event.start")
	def("suid", "sourceUserId", kString, "source.user.id")
	def("suser", "sourceUserName", kString, "source.user.name")
	def("type", "type", kInt, "")
	def("agt", "agentAddress", kIP, "")
	def("ahost", "agentHostName", kString, "")
	def("aid", "agentId", kString, "")
	def("amac", "agentMacAddress", kMAC, "")
	def("art", "agentReceiptTime", kTime, "")
	def("at", "agentType", kString, "")
	def("atz", "agentTimeZone", kString, "")
	def("av", "agentVersion", kString, "")
	def("dlat", "destinationGeoLatitude", kFloat, "destination.geo.location.lat")
	def("dlong", "destinationGeoLongitude", kFloat, "destination.geo.location.lon")
	def("slat", "sourceGeoLatitude", kFloat, "source.geo.location.lat")
	def("slong", "sourceGeoLongitude", kFloat, "source.geo.location.lon")
	return d
}
