import { Rooftop } from './rooftop.entity';

/** This module's entities; the composition root (src/app.entities.ts) collects them. */
export const ROOFTOPS_ENTITIES: Function[] = [Rooftop];
