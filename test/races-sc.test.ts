// The race verdict matrix under sc (see test/race-matrix.ts).
import { raceMatrixTests } from './race-matrix.ts';

raceMatrixTests('sc');
