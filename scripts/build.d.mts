/** `npm run build`'s steps: each one's arguments to `node`, run from the repository's root. */
export declare const BUILD_STEPS: string[][];
