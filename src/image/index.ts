// The platform's container images: bases from Debian, the release on top, one image per role.
export { buildImages, defaultVersion, gitFacts, type BuildOptions, type BuildResult, type BuiltImage } from './build.js';
export { ensureBase, baseRecipe, baseTag, type Base } from './base.js';
export { LABELS, dockerfile, imageLabels, homePort, runsAsRoot, type ImageFacts } from './dockerfile.js';
export { imageId, readImagePath, tarEntries, type TarEntry } from './engine.js';
export { IMAGE_ROLES, ImageError, ROLE_FAMILY, SIZE_BUDGET_MB, FAMILY_PACKAGES, SERVICE_UID, imageRef, isImageRole, packagesOf, type Family, type ImageRole } from './families.js';
export { APP_CONTENT, stageRelease, pruneDeps, depsKey, defaultDepsCache, type StagedRelease } from './stage.js';
export { attestImage, type Attestation } from './attest.js';
export { createSbom, npmComponents, debComponents, parseDpkgStatus, npmPurl, debPurl, type CdxBom, type CdxComponent, type Lockfile } from './sbom.js';
export { canonicalJson, signStatement, signedBy, keyIdOf, imageArtifacts, devKeyFiles, signingKey, trustedKeyFiles, readTrustedKeys, type Statement, type SignatureFile } from './signing.js';
export { verifyImage, type Verification, type VerifyOptions } from './verify.js';
export { CODE_SANDBOX_PRIVILEGES, SERVICE_PRIVILEGES, rolePrivileges, type RolePrivileges } from './privileges.js';
