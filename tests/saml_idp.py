"""A real SAML 2.0 identity provider on the loopback: pysaml2's own IdP server behind http.server.

The person who "signs in" at the provider is the one the test names (``idp.person``); the provider
answers the site's AuthnRequest with a signed assertion in an auto-posting form, as Okta or AD FS do.
"""

import datetime
import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlparse

import pytest

XMLSEC = "/usr/bin/xmlsec1"


def write_key_pair(folder: Path, name: str) -> tuple[str, str]:
    """A self-signed certificate and its key, as PEM files in ``folder``."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import rsa
    from cryptography.x509.oid import NameOID

    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, name)])
    now = datetime.datetime.now(datetime.UTC)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(days=1))
        .not_valid_after(now + datetime.timedelta(days=30))
        .sign(key, hashes.SHA256())
    )
    key_file, cert_file = folder / f"{name}.key", folder / f"{name}.crt"
    key_file.write_bytes(
        key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    )
    cert_file.write_bytes(certificate.public_bytes(serialization.Encoding.PEM))
    return str(key_file), str(cert_file)


@dataclass
class IdentityProvider:
    url: str
    metadata_file: str
    sp_key_file: str
    sp_cert_file: str
    server: object = None
    person: dict = field(default_factory=dict)  # the attributes of whoever signs in next


def _handler(provider: IdentityProvider):
    import saml2
    import saml2.saml

    class SingleSignOn(BaseHTTPRequestHandler):
        def log_message(self, *args):
            pass

        def do_GET(self):
            query = {key: values[0] for key, values in parse_qs(urlparse(self.path).query).items()}
            request = provider.server.parse_authn_request(query["SAMLRequest"], saml2.BINDING_HTTP_REDIRECT)
            destination = request.message.assertion_consumer_service_url
            response = provider.server.create_authn_response(
                identity=provider.person,
                in_response_to=request.message.id,
                destination=destination,
                sp_entity_id=request.message.issuer.text,
                userid=provider.person["uid"][0],
                name_id=saml2.saml.NameID(format=saml2.saml.NAMEID_FORMAT_UNSPECIFIED, text=provider.person["uid"][0]),
                authn={"class_ref": saml2.saml.AUTHN_PASSWORD, "authn_auth": provider.url},
                sign_assertion=True,
                sign_response=True,
            )
            form = provider.server.apply_binding(
                saml2.BINDING_HTTP_POST, str(response), destination, query.get("RelayState", ""), response=True
            )
            body = form["data"].encode()
            self.send_response(200)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

    return SingleSignOn


@pytest.fixture(scope="session")
def saml_idp(tmp_path_factory):
    """Starts the provider for the session; the site's side is set up by the ``saml`` fixture."""
    if not Path(XMLSEC).exists():
        pytest.skip("xmlsec1 is not installed (apt-get install -y xmlsec1); .ci/run installs it")
    import saml2
    import saml2.saml
    from saml2.config import IdPConfig
    from saml2.metadata import entity_descriptor

    folder = tmp_path_factory.mktemp("saml")
    idp_key, idp_cert = write_key_pair(folder, "idp")
    sp_key, sp_cert = write_key_pair(folder, "sp")
    http = ThreadingHTTPServer(("127.0.0.1", 0), BaseHTTPRequestHandler)
    url = f"http://127.0.0.1:{http.server_address[1]}"
    config = {
        "entityid": f"{url}/metadata",
        "xmlsec_binary": XMLSEC,
        "service": {
            "idp": {
                "name": "Example Sales sign-in",
                "endpoints": {"single_sign_on_service": [(f"{url}/sso", saml2.BINDING_HTTP_REDIRECT)]},
                "policy": {"default": {"lifetime": {"minutes": 5}, "name_form": saml2.saml.NAME_FORMAT_BASIC}},
                "name_id_format": [saml2.saml.NAMEID_FORMAT_UNSPECIFIED],
            }
        },
        "key_file": idp_key,
        "cert_file": idp_cert,
        "metadata": {},
    }
    idp_config = IdPConfig().load(dict(config))
    metadata_file = folder / "idp-metadata.xml"
    metadata_file.write_text(str(entity_descriptor(idp_config)))
    provider = IdentityProvider(url=url, metadata_file=str(metadata_file), sp_key_file=sp_key, sp_cert_file=sp_cert)
    provider.config = config
    http.RequestHandlerClass = _handler(provider)
    thread = threading.Thread(target=http.serve_forever, daemon=True)
    thread.start()
    try:
        yield provider
    finally:
        http.shutdown()


def trust_site(provider: IdentityProvider, sp_metadata_xml: str, folder: Path) -> None:
    """Loads the site's metadata into the provider, as an admin registers an application."""
    from saml2.config import IdPConfig
    from saml2.server import Server

    sp_file = folder / "sp-metadata.xml"
    sp_file.write_text(sp_metadata_xml)
    config = dict(provider.config, metadata={"local": [str(sp_file)]})
    provider.server = Server(config=IdPConfig().load(config))
