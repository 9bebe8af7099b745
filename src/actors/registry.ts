// Actor kinds an actor host can run.
import type { ActorKind } from '../store/journal-entry.js';
import type { ActorFactory } from './actor-env.js';
import { createContainerActor } from './container-actor.js';
import { createPullActor } from './pull-actor.js';
import { createLayerActor } from './layer-actor.js';
import { createPushActor } from './push-actor.js';

export const actorFactories: Record<ActorKind, ActorFactory> = {
  container: createContainerActor,
  pull: createPullActor,
  layer: createLayerActor,
  push: createPushActor,
};
