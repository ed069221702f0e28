import type { DistanceUnit } from '../config/app-config';
import type { Powertrain } from '../vehicles/vehicle.entity';

/** A vehicle's powertrain (the vehicles module owns the list); items apply to some of them. */
export type { Powertrain };

export interface IntervalSource {
  intervalKm: number | null;
  intervalMi: number | null;
  intervalMonths: number | null;
}

export interface CatalogueItem extends IntervalSource {
  code: string;
  name: string;
  appliesTo: Powertrain[];
  active: boolean;
}

export interface ItemOverride extends IntervalSource {
  itemCode: string;
  make: string;
  model: string | null;
  active: boolean;
}

export interface EffectiveInterval {
  distance: number | null;
  months: number | null;
  /** Where the interval came from: the catalogue item, or an override for the make or make+model. */
  source: 'item' | 'make' | 'model';
}

/** An item applies to a vehicle when it is active and lists the vehicle's powertrain (EVs get no oil change). */
export function itemApplies(
  item: Pick<CatalogueItem, 'active' | 'appliesTo'>,
  powertrain: Powertrain,
): boolean {
  return item.active && item.appliesTo.includes(powertrain);
}

/**
 * Effective interval for a vehicle: the active override for make+model, else for the whole make (model null),
 * else the item's own. Makes and models match case-insensitively. The distance column is the one of
 * DISTANCE_UNIT, because odometer values are stored in that unit.
 */
export function effectiveInterval(
  item: CatalogueItem,
  overrides: ItemOverride[],
  vehicle: { make: string; model: string },
  unit: DistanceUnit,
): EffectiveInterval {
  const make = vehicle.make.toLowerCase();
  const model = vehicle.model.toLowerCase();
  const mine = overrides.filter((o) => o.active && o.itemCode === item.code && o.make.toLowerCase() === make);
  const byModel = mine.find((o) => o.model !== null && o.model.toLowerCase() === model);
  const byMake = mine.find((o) => o.model === null);
  const chosen: IntervalSource = byModel ?? byMake ?? item;
  return {
    distance: unit === 'km' ? chosen.intervalKm : chosen.intervalMi,
    months: chosen.intervalMonths,
    source: byModel ? 'model' : byMake ? 'make' : 'item',
  };
}
