export function createBroker(): void {}
