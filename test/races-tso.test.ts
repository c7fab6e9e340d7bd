// The race verdict matrix under tso (see test/race-matrix.ts).
import { raceMatrixTests } from './race-matrix.ts';

raceMatrixTests('tso');
