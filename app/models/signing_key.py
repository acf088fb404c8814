"""The keys that sign client tokens (issue 14); their private halves only encrypted."""

import peewee

from app.storage import database


class SigningKey(peewee.Model):
    kid = peewee.CharField(max_length=64, primary_key=True)
    algorithm = peewee.CharField(max_length=16)
    public_jwk = peewee.TextField()  # JSON of the public JWK, as the JWKS serves it
    # base64(nonce || AES-256-GCM(private key PEM)); never the key itself.
    private_key_encrypted = peewee.TextField()
    created_at = peewee.BigIntegerField()
    # 1 for the one key that signs now, NULL for the others: the unique index lets only
    # one server's key win when several servers create or rotate at the same moment.
    signing = peewee.IntegerField(null=True, unique=True)
    # When it stopped signing, and when it leaves the JWKS (its last token has expired).
    retired_at = peewee.BigIntegerField(null=True)
    retires_at = peewee.BigIntegerField(null=True)

    class Meta:
        database = database
        table_name = "signing_key"
