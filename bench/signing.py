"""Measure what signing and checking one token costs per algorithm (issue 14).

    python -m bench.signing

Prints, per algorithm, the mean microseconds of one `jwt.encode` and one `jwt.decode`
of a token shaped like our access tokens. A login signs two tokens; every request with
a token checks one.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

import jwt
from cryptography.hazmat.primitives.asymmetric import ec, ed25519, rsa

CLAIMS: dict[str, Any] = {
    "sub": "6560a3a0c1d2e3f4a5b6c7d8", "typ": "access", "iat": 1_700_000_000,
    "exp": 1_700_001_800, "iss": "https://auth.example.com", "aud": "myapp-abcde",
    "baas_id": "6560a3a0c1d2e3f4a5b6c7d9", "baas_device_id": "000000000000000000000000",
    "baas_domain_id": "6560a3a0c1d2e3f4a5b6c7da",
}


def _mean_us(action: Callable[[], object], rounds: int) -> float:
    action()  # warm up
    start = time.perf_counter()
    for _ in range(rounds):
        action()
    return (time.perf_counter() - start) / rounds * 1e6


def measure(rounds: int = 500) -> list[tuple[str, float, float]]:
    """(algorithm, sign µs, verify µs) for HS256, ES256, EdDSA and RS256-2048."""
    keys: dict[str, tuple[Any, Any]] = {"HS256": (b"k" * 32, b"k" * 32)}
    es = ec.generate_private_key(ec.SECP256R1())
    keys["ES256"] = (es, es.public_key())
    ed = ed25519.Ed25519PrivateKey.generate()
    keys["EdDSA"] = (ed, ed.public_key())
    rs = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    keys["RS256"] = (rs, rs.public_key())
    results = []
    for algorithm, (private, public) in keys.items():
        token = jwt.encode(CLAIMS, private, algorithm=algorithm)

        def sign_one(p: Any = private, a: str = algorithm) -> object:
            return jwt.encode(CLAIMS, p, algorithm=a)

        def verify_one(p: Any = public, a: str = algorithm, t: str = token) -> object:
            return jwt.decode(t, p, algorithms=[a], audience="myapp-abcde",
                              options={"verify_exp": False})

        sign, verify = _mean_us(sign_one, rounds), _mean_us(verify_one, rounds)
        results.append((algorithm, sign, verify))
    return results


def main() -> None:
    print(f"{'algorithm':<10} {'sign µs':>9} {'verify µs':>10}")
    for algorithm, sign, verify in measure():
        print(f"{algorithm:<10} {sign:>9.0f} {verify:>10.0f}")


if __name__ == "__main__":
    main()
