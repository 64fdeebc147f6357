import { describeStoreConformance } from "./conformance.js";
import { openTestStore, tempStatePath } from "./helpers.js";

describeStoreConformance(
  "SQLite",
  ({ now, place }) => Promise.resolve(openTestStore(place ?? tempStatePath(), now === undefined ? {} : { now })),
  () => tempStatePath(),
);
