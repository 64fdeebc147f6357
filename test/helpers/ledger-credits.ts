import type { CreateRequest } from "../../src/api/types.js";
import type { Simulator } from "../../src/sim/index.js";
import { creditsFor } from "../../src/sim/models.js";

/** Credits of every task the simulator made (replays of one task counted once): an upper bound of what it ever held reserved. */
export function ledgerReservations(sim: Simulator): number {
  return sim.ledger.creates.filter((c) => c.taskId !== null && !c.replayed).reduce((sum, c) => sum + creditsFor(c.body as CreateRequest), 0);
}
