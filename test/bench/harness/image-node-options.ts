/** The Docker image's `ENV NODE_OPTIONS`, which the bench runs our controller with (dockerfile.spec checks it). */
export const IMAGE_NODE_OPTIONS = '--max-old-space-size=96 --max-semi-space-size=4';
