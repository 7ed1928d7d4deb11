//! Connections for the probes: TCP with one deadline per connection, and TLS with rustls.

use std::io::{self, Read, Write};
use std::net::{TcpStream, ToSocketAddrs};
use std::path::Path;
use std::sync::Arc;
use std::time::{Duration, Instant};

use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::crypto::{verify_tls12_signature, verify_tls13_signature, CryptoProvider};
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, ServerName, UnixTime};
use rustls::{ClientConfig, ClientConnection, DigitallySignedStruct, RootCertStore, StreamOwned};

use super::AuditError;

/// How the audit verifies a TLS server.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub enum TlsTrust {
    /// The Mozilla root store (`webpki-roots`), as browsers trust public sites.
    #[default]
    PublicRoots,
    /// Only the certificates in this PEM file (`--ca`), for a private CA.
    CaFile(std::path::PathBuf),
    /// No verification at all (`--insecure`), for a self-signed test server. Never against
    /// a server reached over a network you do not control.
    InsecureAcceptAnyCertificate,
}

/// The rustls client configuration for `trust`.
pub(crate) fn client_config(trust: &TlsTrust) -> Result<Arc<ClientConfig>, AuditError> {
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let builder = ClientConfig::builder_with_provider(provider.clone())
        .with_safe_default_protocol_versions()
        .map_err(|e| AuditError::Tls(e.to_string()))?;
    let config = match trust {
        TlsTrust::PublicRoots => {
            let roots = RootCertStore {
                roots: webpki_roots::TLS_SERVER_ROOTS.to_vec(),
            };
            builder.with_root_certificates(roots).with_no_client_auth()
        }
        TlsTrust::CaFile(path) => builder
            .with_root_certificates(load_ca(path)?)
            .with_no_client_auth(),
        TlsTrust::InsecureAcceptAnyCertificate => builder
            .dangerous()
            .with_custom_certificate_verifier(Arc::new(InsecureAcceptAnyCertificate(provider)))
            .with_no_client_auth(),
    };
    Ok(Arc::new(config))
}

fn load_ca(path: &Path) -> Result<RootCertStore, AuditError> {
    let error = |detail: String| AuditError::CaFile {
        path: path.display().to_string(),
        detail,
    };
    let mut roots = RootCertStore::empty();
    let certificates = CertificateDer::pem_file_iter(path).map_err(|e| error(e.to_string()))?;
    for certificate in certificates {
        let certificate = certificate.map_err(|e| error(e.to_string()))?;
        roots
            .add(certificate)
            .map_err(|e| error(format!("not a usable CA certificate: {e}")))?;
    }
    if roots.is_empty() {
        return Err(error("no PEM `CERTIFICATE` block in the file".into()));
    }
    Ok(roots)
}

/// `--insecure`: accepts any server certificate. For self-signed test servers only: it checks
/// that the server holds the key of the certificate it shows, and nothing about who that is.
#[derive(Debug)]
struct InsecureAcceptAnyCertificate(Arc<CryptoProvider>);

impl ServerCertVerifier for InsecureAcceptAnyCertificate {
    fn verify_server_cert(
        &self,
        _end_entity: &CertificateDer<'_>,
        _intermediates: &[CertificateDer<'_>],
        _server_name: &ServerName<'_>,
        _ocsp_response: &[u8],
        _now: UnixTime,
    ) -> Result<ServerCertVerified, rustls::Error> {
        Ok(ServerCertVerified::assertion())
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        verify_tls12_signature(
            message,
            cert,
            dss,
            &self.0.signature_verification_algorithms,
        )
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        verify_tls13_signature(
            message,
            cert,
            dss,
            &self.0.signature_verification_algorithms,
        )
    }

    fn supported_verify_schemes(&self) -> Vec<rustls::SignatureScheme> {
        self.0.signature_verification_algorithms.supported_schemes()
    }
}

/// A TCP stream that fails every read and write once its deadline has passed, so that one
/// connection never takes longer than `--timeout`, however slowly the server dribbles bytes.
#[derive(Debug)]
pub(crate) struct DeadlineStream {
    stream: TcpStream,
    deadline: Instant,
}

impl DeadlineStream {
    fn remaining(&self) -> io::Result<Duration> {
        let remaining = self.deadline.saturating_duration_since(Instant::now());
        if remaining.is_zero() {
            Err(timed_out())
        } else {
            Ok(remaining)
        }
    }
}

fn timed_out() -> io::Error {
    io::Error::new(io::ErrorKind::TimedOut, "timed out")
}

/// A blocking socket with a timeout reports `WouldBlock` (Unix) or `TimedOut` (Windows).
fn deadline_error(error: io::Error) -> io::Error {
    match error.kind() {
        io::ErrorKind::WouldBlock | io::ErrorKind::TimedOut => timed_out(),
        _ => error,
    }
}

impl Read for DeadlineStream {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        self.stream.set_read_timeout(Some(self.remaining()?))?;
        self.stream.read(buf).map_err(deadline_error)
    }
}

impl Write for DeadlineStream {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.stream.set_write_timeout(Some(self.remaining()?))?;
        self.stream.write(buf).map_err(deadline_error)
    }

    fn flush(&mut self) -> io::Result<()> {
        self.stream.flush()
    }
}

/// A TLS handshake failure as a sentence that says what to do, with the `--ca` and
/// `--insecure` hints where they apply.
pub(crate) fn tls_failure(error: &io::Error, host: &str) -> String {
    use rustls::{CertificateError, Error};
    const TRUST: &str = "for a private CA pass its certificate with `--ca FILE`; for a \
                         self-signed test server use `--insecure`";
    let Some(tls) = error
        .get_ref()
        .and_then(|inner| inner.downcast_ref::<Error>())
    else {
        return match error.kind() {
            io::ErrorKind::TimedOut => "timed out during the TLS handshake".to_owned(),
            io::ErrorKind::UnexpectedEof
            | io::ErrorKind::ConnectionReset
            | io::ErrorKind::ConnectionAborted => {
                "the server closed the connection during the TLS handshake: is it a TLS server? \
                 For a plain one use ws:// or http://"
                    .to_owned()
            }
            _ => format!("TLS handshake failed: {error}"),
        };
    };
    match tls {
        Error::InvalidCertificate(CertificateError::UnknownIssuer) => format!(
            "the server's certificate is not signed by a CA the audit trusts: {TRUST}"
        ),
        Error::InvalidCertificate(CertificateError::Other(other))
            if format!("{other:?}").contains("CaUsedAsEndEntity") =>
        {
            "the server's certificate is a CA certificate (CA:TRUE, as `openssl req -x509` \
             makes by default), which cannot identify a server: for a test server use \
             `--insecure`, or sign a server certificate with that CA and pass the CA with `--ca FILE`"
                .to_owned()
        }
        Error::InvalidCertificate(
            CertificateError::NotValidForName | CertificateError::NotValidForNameContext { .. },
        ) => format!(
            "the server's certificate is not valid for {host}: audit the name it was issued for, \
             or use `--insecure` against a test server"
        ),
        Error::InvalidCertificate(
            CertificateError::Expired | CertificateError::ExpiredContext { .. },
        ) => "the server's certificate has expired".to_owned(),
        Error::InvalidCertificate(
            CertificateError::NotValidYet | CertificateError::NotValidYetContext { .. },
        ) => "the server's certificate is not valid yet (check the clocks)".to_owned(),
        Error::InvalidCertificate(other) => {
            format!("the server's certificate was rejected ({other:?}): {TRUST}")
        }
        Error::InvalidMessage(_) | Error::InappropriateMessage { .. } => {
            "the server did not answer with TLS: for a plain server use ws:// or http://"
                .to_owned()
        }
        Error::AlertReceived(alert) => {
            format!("the server ended the TLS handshake with the alert {alert:?}")
        }
        other => format!("TLS handshake failed: {other}"),
    }
}

/// A plain or TLS connection to the target.
#[derive(Debug)]
pub(crate) enum Connection {
    Plain(DeadlineStream),
    Tls(Box<StreamOwned<ClientConnection, DeadlineStream>>),
}

impl Read for Connection {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        match self {
            Connection::Plain(stream) => stream.read(buf),
            Connection::Tls(stream) => stream.read(buf),
        }
    }
}

impl Write for Connection {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        match self {
            Connection::Plain(stream) => stream.write(buf),
            Connection::Tls(stream) => stream.write(buf),
        }
    }

    fn flush(&mut self) -> io::Result<()> {
        match self {
            Connection::Plain(stream) => stream.flush(),
            Connection::Tls(stream) => stream.flush(),
        }
    }
}

/// Why no request could be sent: the verdict is "error", not "refused".
#[derive(Debug)]
pub(crate) struct ConnectError(pub(crate) String);

/// Connects to `host:port` within `timeout`, and completes the TLS handshake when `tls` is
/// given, so that TLS failures are reported as such and not as a refused request.
pub(crate) fn connect(
    host: &str,
    port: u16,
    tls: Option<&Arc<ClientConfig>>,
    timeout: Duration,
) -> Result<Connection, ConnectError> {
    let deadline = Instant::now() + timeout;
    // `http::Uri` keeps IPv6 hosts in brackets; the resolver wants them without.
    let bare = host
        .strip_prefix('[')
        .and_then(|h| h.strip_suffix(']'))
        .unwrap_or(host);
    let addresses = (bare, port)
        .to_socket_addrs()
        .map_err(|e| ConnectError(format!("cannot resolve {host}: {e}")))?;
    let mut last_error = None;
    let mut stream = None;
    for address in addresses {
        let remaining = deadline.saturating_duration_since(Instant::now());
        if remaining.is_zero() {
            break;
        }
        match TcpStream::connect_timeout(&address, remaining) {
            Ok(connected) => {
                stream = Some(connected);
                break;
            }
            Err(e) => last_error = Some(format!("connect to {address}: {e}")),
        }
    }
    let stream = stream.ok_or_else(|| {
        ConnectError(last_error.unwrap_or_else(|| format!("cannot connect to {host}:{port}")))
    })?;
    // Small requests and responses: send each as soon as it is written.
    let _ = stream.set_nodelay(true);
    let mut stream = DeadlineStream { stream, deadline };
    let Some(config) = tls else {
        return Ok(Connection::Plain(stream));
    };
    let name = ServerName::try_from(bare.to_owned())
        .map_err(|e| ConnectError(format!("TLS server name {host:?}: {e}")))?;
    let mut tls = ClientConnection::new(config.clone(), name)
        .map_err(|e| ConnectError(format!("TLS: {e}")))?;
    while tls.is_handshaking() {
        tls.complete_io(&mut stream)
            .map_err(|e| ConnectError(tls_failure(&e, host)))?;
    }
    Ok(Connection::Tls(Box::new(StreamOwned::new(tls, stream))))
}
