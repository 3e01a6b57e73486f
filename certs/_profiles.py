"""Certificate profiles: roles, algorithms, lifetimes and the SPIFFE identity of a leaf."""

from __future__ import annotations

import ipaddress
import re
from dataclasses import dataclass
from datetime import timedelta
from enum import StrEnum

from cryptography.hazmat.primitives.asymmetric import ec, ed25519, rsa

from certs._errors import ProfileError
from certs._pem import PrivateKey

ROOT_LIFETIME = timedelta(days=3650)
INTERMEDIATE_LIFETIME = timedelta(days=730)
LEAF_DAYS = 30
MAX_LEAF_DAYS = 90
CRL_LIFETIME = timedelta(days=7)
BACKDATE = timedelta(minutes=5)
RENEW_FRACTION = 1 / 3
DEFAULT_DNS = ("localhost",)
DEFAULT_IPS = ("127.0.0.1",)

_NAME = re.compile(r"[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?")
_TRUST_DOMAIN = re.compile(r"[a-z0-9]([a-z0-9._-]{0,253}[a-z0-9])?")
_DNS_LABEL = re.compile(r"(\*|[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?)")


class Role(StrEnum):
    """Who a leaf certificate speaks for; the first segment of its SPIFFE path."""

    PLATFORM = "platform"
    BANK = "bank"
    GATEWAY = "gateway"
    OPS = "ops"


class Algorithm(StrEnum):
    """Leaf key algorithms; ECDSA P-256 is the default because every TLS stack, gRPC included, accepts it."""

    ECDSA_P256 = "ecdsa-p256"
    ED25519 = "ed25519"
    RSA_3072 = "rsa-3072"


@dataclass(frozen=True)
class SpiffeId:
    """A parsed ``spiffe://<trust-domain>/<role>/<name>``."""

    trust_domain: str
    role: Role
    name: str

    def __str__(self) -> str:
        return f"spiffe://{self.trust_domain}/{self.role}/{self.name}"


@dataclass(frozen=True)
class LeafProfile:
    """What a leaf certificate says: its name and role, its DNS and IP SANs, its lifetime and key algorithm."""

    name: str
    role: Role
    dns: tuple[str, ...] = DEFAULT_DNS
    ips: tuple[str, ...] = DEFAULT_IPS
    days: int = LEAF_DAYS
    algorithm: Algorithm = Algorithm.ECDSA_P256

    def __post_init__(self) -> None:
        check_name(self.name)
        if not 1 <= self.days <= MAX_LEAF_DAYS:
            raise ProfileError(f"--days {self.days} is outside 1..{MAX_LEAF_DAYS}; leaves are short-lived, rotate them")
        for dns in self.dns:
            _check_dns(dns)
        for ip in self.ips:
            _check_ip(ip)

    def spiffe_id(self, trust_domain: str) -> SpiffeId:
        """The one URI SAN of this leaf in ``trust_domain``."""
        return SpiffeId(trust_domain, self.role, self.name)


def check_name(name: str) -> str:
    """A leaf name is one lowercase DNS-style label, so it is safe as a path segment and a SPIFFE segment."""
    if not _NAME.fullmatch(name):
        raise ProfileError(f"name {name!r} is not allowed; use 1-63 lowercase letters, digits and '-'")
    return name


def check_trust_domain(trust_domain: str) -> str:
    """A SPIFFE trust domain: lowercase letters, digits, '.', '-' and '_'."""
    if not _TRUST_DOMAIN.fullmatch(trust_domain):
        raise ProfileError(f"trust domain {trust_domain!r} is not allowed; use lowercase letters, digits, . - _")
    return trust_domain


def parse_spiffe(uri: str) -> SpiffeId:
    """Parse ``spiffe://<trust-domain>/<role>/<name>``; ``ValueError`` says which part is wrong."""
    if not uri.startswith("spiffe://"):
        raise ValueError("not a spiffe:// URI")
    trust_domain, _, path = uri.removeprefix("spiffe://").partition("/")
    parts = path.split("/")
    if not _TRUST_DOMAIN.fullmatch(trust_domain):
        raise ValueError("malformed trust domain")
    if len(parts) != 2 or parts[0] not in Role.__members__.values() or not _NAME.fullmatch(parts[1]):
        raise ValueError("path is not /<role>/<name> with a known role")
    return SpiffeId(trust_domain, Role(parts[0]), parts[1])


def generate_key(algorithm: Algorithm) -> PrivateKey:
    """A fresh private key for ``algorithm``."""
    if algorithm is Algorithm.ED25519:
        return ed25519.Ed25519PrivateKey.generate()
    if algorithm is Algorithm.RSA_3072:
        return rsa.generate_private_key(public_exponent=65537, key_size=3072)
    return ec.generate_private_key(ec.SECP256R1())


def algorithm_of(key: object) -> Algorithm:
    """The leaf algorithm a public or private key belongs to."""
    if isinstance(key, ed25519.Ed25519PublicKey | ed25519.Ed25519PrivateKey):
        return Algorithm.ED25519
    if isinstance(key, rsa.RSAPublicKey | rsa.RSAPrivateKey):
        return Algorithm.RSA_3072
    return Algorithm.ECDSA_P256


def _check_dns(dns: str) -> None:
    labels = dns.split(".")
    if len(dns) > 253 or not all(_DNS_LABEL.fullmatch(label) for label in labels) or "*" in labels[1:]:
        raise ProfileError(f"--dns {dns!r} is not a DNS name")


def _check_ip(ip: str) -> None:
    try:
        ipaddress.ip_address(ip)
    except ValueError:
        raise ProfileError(f"--ip {ip!r} is not an IPv4 or IPv6 address") from None
