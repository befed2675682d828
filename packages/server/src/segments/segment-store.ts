import type { Segment } from '@pitboss/engine';
import { versionedDocuments } from '../storage/versioned-documents.js';

/** Segment rows, written inside a mutation's transaction by the segment API and by `pitboss apply`. */
export const segmentStore = versionedDocuments<Segment>('segments');
