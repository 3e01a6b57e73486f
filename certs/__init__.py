"""PKI for coloan-gateway partners: CAs, leaf certificates, rotation, revocation, CA rollover."""
