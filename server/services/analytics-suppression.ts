/**
 * Minimum group size for analytics. A figure computed over fewer distinct people than the
 * minimum is suppressed: it carries no value, only that its group was smaller than the minimum.
 */

/** A figure before suppression: its value and how many distinct people it was computed over. */
export interface RawFigure {
  value: number;
  group: number;
}

/** A figure as the API and the CSV export return it. */
export interface Figure {
  /** Null when suppressed. */
  value: number | null;
  suppressed: boolean;
  /** When suppressed: the minimum group size, which the figure's group did not reach. */
  lessThan: number | null;
}

function shown(value: number): Figure {
  return { value, suppressed: false, lessThan: null };
}

function hidden(minGroupSize: number): Figure {
  return { value: null, suppressed: true, lessThan: minGroupSize };
}

/** Suppresses a figure whose group is smaller than the minimum, an empty group included. */
export function protectFigure(raw: RawFigure, minGroupSize: number): Figure {
  return raw.group < minGroupSize ? hidden(minGroupSize) : shown(raw.value);
}

/**
 * Suppresses the cells of a breakdown (buckets of a trend, schools of a district) that has a
 * total. Cells whose group is below the minimum are suppressed first. When one of them has a
 * group of 1 or more and the total is shown, more cells are suppressed, smallest group first.
 * This stops once at least two cells with people in them are suppressed and their groups add up
 * to the minimum. Otherwise the total less the shown cells would give a suppressed cell's value,
 * or the sum of a few cells that together are still too small a group. A cell with no one in it
 * reveals no one, so it is suppressed but calls for no further suppression.
 */
export function protectBreakdown(
  cells: readonly RawFigure[],
  total: RawFigure,
  minGroupSize: number,
): Figure[] {
  const suppressed = cells.map((cell) => cell.group < minGroupSize);
  const revealing = (index: number) => suppressed[index] && (cells[index]?.group ?? 0) > 0;
  if (total.group >= minGroupSize && cells.some((_cell, index) => revealing(index))) {
    const candidates = cells
      .map((cell, index) => ({ group: cell.group, index }))
      .filter((cell) => cell.group > 0 && !suppressed[cell.index])
      .sort((a, b) => a.group - b.group || a.index - b.index);
    const isProtected = () => {
      const people = cells.filter((_cell, index) => revealing(index));
      const group = people.reduce((sum, cell) => sum + cell.group, 0);
      return people.length >= 2 && group >= minGroupSize;
    };
    for (const { index } of candidates) {
      if (isProtected()) {
        break;
      }
      suppressed[index] = true;
    }
  }
  return cells.map((cell, index) => (suppressed[index] ? hidden(minGroupSize) : shown(cell.value)));
}
