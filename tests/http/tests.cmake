# rsp_http: the HTTPS server and client, over loopback with test PKIs made on the fly.
rsp_add_test(test_http
  SOURCES http/test_https.cpp http/test_client_certificates.cpp http/test_server_limits.cpp http/test_keep_alive.cpp http/test_wire_bytes.cpp
  LIBS rsp_http
  SANITIZE TSAN)
# rsp_server's door checks for JSON functions: media types and X-Admin-Protocol.
rsp_add_test(test_http_json SOURCES http/test_http_json.cpp LIBS rsp_server SANITIZE TSAN)
# Every listener limit reached through the real server: the answer, the /metrics counter, the log
# line, serving again; the per-peer cap; limits from a configuration file (issue 13).
rsp_add_test(test_listener_limits SOURCES http/test_listener_limits.cpp LIBS rsp_server SANITIZE TSAN)
# The TLS versions, suites, groups and signature algorithms servers and the client accept (SGP.22 §2.6.6).
rsp_add_test(test_tls_policy SOURCES http/test_tls_policy.cpp LIBS rsp_http OpenSSL::SSL SANITIZE)
