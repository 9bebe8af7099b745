export default async function prune(): Promise<number> { return 0; }
