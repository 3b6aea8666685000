import { buildSim } from './sim/build';

export default async function setup(): Promise<void> {
  await buildSim();
}
