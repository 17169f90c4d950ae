package dev.herald.dispatch;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** Standard Webhooks signatures, checked against the specification's published example. */
class SignerTest {

    @Test
    void signsLikeTheSpecificationsExample() {
        assertThat(Signer.sign("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw", "msg_p5jXN8AQM9LWM0D4loKWxJek", 1614265330L,
                "{\"test\": 2432232314}")).isEqualTo("v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=");
    }

    @Test
    void aBodylessRequestSignsTheEmptyBody() {
        String secret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
        assertThat(Signer.sign(secret, "id", 1L, null)).isEqualTo(Signer.sign(secret, "id", 1L, ""))
                .isNotEqualTo(Signer.sign(secret, "id", 2L, ""));
    }
}
