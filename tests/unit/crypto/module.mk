$(eval $(call unit_test,crypto_sha256,tests/unit/crypto/test_sha256.c,crypto util))
$(eval $(call unit_test,crypto_hmac,tests/unit/crypto/test_hmac.c,crypto util))
