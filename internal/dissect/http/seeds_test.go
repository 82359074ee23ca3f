package http_test

// Seeds from Zeek's Traces/http/get.pcap (testdata/SOURCES.md): the
// first request and the header of its response.
const (
	seedRequest  = "GET /download/CHANGES.bro-aux.txt HTTP/1.1\r\nUser-Agent: Wget/1.14 (darwin12.2.0)\r\nAccept: */*\r\nHost: bro.org\r\nConnection: Keep-Alive\r\n\r\n"
	seedResponse = "HTTP/1.1 200 OK\r\nDate: Thu, 07 Mar 2013 21:43:07 GMT\r\nServer: Apache/2.4.3 (Fedora)\r\nLast-Modified: Wed, 29 Aug 2012 23:49:27 GMT\r\nETag: \"1261-4c870358a6fc0\"\r\nAccept-Ranges: bytes\r\nContent-Length: 4705\r\nKeep-Alive: timeout=5, max=100\r\nConnection: Keep-Alive\r\nContent-Type: text/plain; charset=UTF-8\r\n\r\n"
)
