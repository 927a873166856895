// Container settings: which driver runs instances, the Docker endpoint, and the keys images are signed and verified with.
import { oneOf, path, text, SettingError } from './parsers.js';
import { setting } from './setting.js';

function dockerEndpoint(raw: unknown): string {
  const v = text(raw);
  if (!/^(unix:\/\/\/|tcp:\/\/)\S+$/.test(v)) throw new SettingError('must be unix:///path/to/docker.sock or tcp://host:port');
  return v;
}

const paths = (raw: unknown): string[] =>
  text(raw)
    .split(',')
    .map((p) => p.trim())
    .filter(Boolean)
    .map(path);

export const CONTAINERS_SETTINGS = [
  /** Where the controller runs instances: supervised local processes, or containers from images. */
  setting({
    key: 'driver',
    env: 'PITCHEY_DRIVER',
    area: 'containers',
    doc: 'where `pitchey up` and the controller run service instances: `local` (supervised processes from release folders) or `docker` (containers from the signed `pitchey/<role>:<version>` images)',
    fallback: () => 'local' as const,
    parse: oneOf(['local', 'docker'] as const),
  }),
  /** Docker Engine API endpoint; null = DOCKER_HOST, else /var/run/docker.sock. */
  setting({
    key: 'dockerHost',
    env: 'PITCHEY_DOCKER_HOST',
    area: 'containers',
    doc: 'docker driver and `pitchey image`: the Docker Engine API endpoint, `unix:///run/docker.sock` or `tcp://host:2375`',
    shown: '`DOCKER_HOST`, else `/var/run/docker.sock`',
    fallback: () => null,
    parse: dockerEndpoint,
  }),
  /** Ed25519 public keys (PEM files) an image's signature must verify against before the docker driver runs it. */
  setting({
    key: 'imageTrustedKeys',
    env: 'PITCHEY_IMAGE_TRUSTED_KEYS',
    area: 'containers',
    doc: 'docker driver: comma-separated Ed25519 public key files (PEM); an image runs only when its signature verifies against one of them; required in production with the docker driver',
    shown: "the data dir's development key",
    fallback: (): string[] => [],
    parse: paths,
  }),
  /** Ed25519 private key (PEM file) `pitchey image build` signs with; null = the data dir's development key. */
  setting({
    key: 'imageSigningKey',
    env: 'PITCHEY_IMAGE_SIGNING_KEY',
    area: 'containers',
    doc: '`pitchey image build`: the Ed25519 private key file (PEM) that signs each image digest and SBOM; the development key is refused in production',
    shown: 'a development key in `<data>/keys/`',
    fallback: () => null,
    parse: path,
  }),
];
