$(eval $(call unit_test,crypto_sha256,tests/unit/crypto/test_sha256.c,crypto util))
$(eval $(call unit_test,crypto_hmac,tests/unit/crypto/test_hmac.c,crypto util))
$(eval $(call unit_test,crypto_chacha20,tests/unit/crypto/test_chacha20.c,crypto util))
$(eval $(call unit_test,crypto_csprng,tests/unit/crypto/test_csprng.c,crypto util))
