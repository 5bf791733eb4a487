/**
 * TLS files checked before connecting, so a wrong file is exit 2 naming its flag instead of a
 * handshake failure "unexpected; please report it" (exit 1): `--cacert` must hold at least one
 * PEM certificate the TLS library accepts (a file without one used to be ignored silently),
 * `--cert` a certificate, `--key` a private key, and the two must belong together.
 */
import { createPrivateKey, X509Certificate } from "node:crypto";
import { readFileSync } from "node:fs";
import { createSecureContext } from "node:tls";
import { UserError } from "../errors.ts";

const PEM_CERTIFICATE = "-----BEGIN CERTIFICATE-----";

interface NamedFile {
  spelling: string;
  path: string;
}

/** The library's reason in a few words: "NO_START_LINE" -> "no PEM block found". */
function reason(error: unknown): string {
  const text = `${(error as { code?: string }).code ?? ""} ${(error as Error).message ?? ""}`;
  if (/NO_START_LINE/.test(text)) return "no PEM block found";
  if (/BAD_BASE64|BAD_END_LINE|BAD_DECRYPT|ASN1|DECODE/i.test(text)) return "the PEM data is damaged";
  if (/Invalid CA/i.test(text)) return "the TLS library rejects it as a CA certificate";
  return (error as Error).message?.split("\n")[0] ?? String(error);
}

export function checkTlsFiles(files: { ca?: NamedFile; cert?: NamedFile; key?: NamedFile }): void {
  const { ca, cert, key } = files;
  if (ca) {
    const text = readFileSync(ca.path, "utf8");
    if (!text.includes(PEM_CERTIFICATE)) {
      throw new UserError(`${ca.spelling} ${ca.path} holds no PEM certificate (no "${PEM_CERTIFICATE}" line); give the CA certificate that signed the server's`);
    }
    try {
      createSecureContext({ ca: text });
    } catch (error) {
      throw new UserError(`${ca.spelling} ${ca.path} is not a usable CA certificate: ${reason(error)}; give the PEM certificate of the CA that signed the server's`);
    }
  }
  if (cert && key) {
    const certText = readFileSync(cert.path);
    const keyText = readFileSync(key.path);
    try {
      new X509Certificate(certText);
    } catch (error) {
      throw new UserError(`${cert.spelling} ${cert.path} is not a PEM certificate: ${reason(error)}`);
    }
    try {
      createPrivateKey(keyText);
    } catch (error) {
      throw new UserError(`${key.spelling} ${key.path} is not a PEM private key: ${reason(error)}${/ENCRYPTED/.test(keyText.toString()) ? " (encrypted keys are not supported: decrypt it with openssl)" : ""}`);
    }
    try {
      createSecureContext({ cert: certText, key: keyText });
    } catch (error) {
      const mismatch = /KEY_VALUES_MISMATCH/.test(`${(error as { code?: string }).code} ${(error as Error).message}`);
      throw new UserError(
        mismatch
          ? `${key.spelling} ${key.path} is not the private key of ${cert.spelling} ${cert.path}; give the key the certificate was made for`
          : `${cert.spelling} ${cert.path} with ${key.spelling} ${key.path} is not usable: ${reason(error)}`,
      );
    }
  }
}
