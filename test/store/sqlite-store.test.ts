import { describeStoreConformance } from "./conformance.js";
import { openTestStore, tempStatePath } from "./helpers.js";

describeStoreConformance(
  "SQLite",
  async ({ now, place }) => openTestStore(place ?? tempStatePath(), now === undefined ? {} : { now }),
  () => tempStatePath(),
);
