# ASN.1 layer: kit round trips, hostile input (codec, profile package streams, BER-TLV helpers),
# and the rsp-asn1 command line tool.
rsp_add_test(test_asn1_roundtrip SOURCES asn1/test_asn1_roundtrip.cpp SANITIZE)
rsp_add_test(test_asn1_malformed
  SOURCES asn1/test_asn1_malformed.cpp asn1/test_profile_package_malformed.cpp asn1/test_tlv_malformed.cpp
  SANITIZE)
rsp_add_test(test_rsp_asn1_cli SOURCES asn1/test_rsp_asn1_cli.cpp SANITIZE)
add_dependencies(test_rsp_asn1_cli rsp-asn1)
# The codec without a lock: many message types decoded and encoded by several threads at once.
rsp_add_test(test_asn1_concurrency SOURCES asn1/test_asn1_concurrency.cpp SANITIZE TSAN)
