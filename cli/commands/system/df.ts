export default async function df(): Promise<number> { return 0; }
