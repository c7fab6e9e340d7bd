// The race verdict matrix under weak (see test/race-matrix.ts).
import { catalogueTests, raceMatrixTests } from './race-matrix.ts';

raceMatrixTests('weak');
catalogueTests();
