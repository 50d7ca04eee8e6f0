import type { Weighted } from "./sampling.js";

// Calibrated on the Baltimore Part 1 crime exports: the 2022 sample with victim fields (descriptions, weapons,
// victim Gender/Age/Race per description), the 2019 extract (CrimeCode per description) and the daily counts
// file (rows per year and description). Categories, counts and summary statistics only, never rows.

/** The 13 Part 1 `Description` values, in the column order of {@link BALTIMORE_ROWS_BY_YEAR}. */
export const BALTIMORE_DESCRIPTIONS = [
  "RAPE",
  "LARCENY",
  "AGG. ASSAULT",
  "LARCENY FROM AUTO",
  "BURGLARY",
  "COMMON ASSAULT",
  "AUTO THEFT",
  "ROBBERY",
  "ROBBERY - COMMERCIAL",
  "ARSON",
  "ROBBERY - CARJACKING",
  "HOMICIDE",
  "SHOOTING",
] as const;

/** Rows per year and description (daily counts file summed by year; 2024 was partial and is left out). */
export const BALTIMORE_ROWS_BY_YEAR: readonly (readonly [year: number, counts: readonly number[]])[] = [
  [2011, [316, 10037, 5117, 7321, 8756, 9463, 3766, 3407, 294, 297, 192, 0, 0]],
  [2012, [318, 10770, 4865, 7039, 7875, 9258, 3543, 3527, 278, 243, 182, 216, 28]],
  [2013, [275, 12315, 4602, 6756, 7462, 8468, 3804, 3744, 231, 273, 122, 233, 43]],
  [2014, [247, 11336, 4259, 6716, 6867, 7452, 3650, 3237, 513, 216, 155, 210, 369]],
  [2015, [287, 10641, 4740, 7046, 7827, 6984, 4562, 3766, 669, 292, 284, 342, 632]],
  [2016, [296, 10416, 5131, 6515, 7370, 7497, 4601, 4524, 664, 267, 413, 317, 664]],
  [2017, [380, 10805, 5864, 6186, 8082, 8819, 4664, 4879, 735, 266, 574, 338, 703]],
  [2018, [366, 10711, 5631, 6377, 6218, 8448, 4218, 4404, 631, 127, 483, 307, 677]],
  [2019, [317, 10775, 5735, 5777, 5427, 8415, 3769, 4059, 518, 115, 584, 348, 766]],
  [2020, [296, 7680, 5347, 3657, 4059, 7500, 3006, 2715, 355, 105, 518, 332, 721]],
  [2021, [294, 7579, 5664, 3734, 3474, 8152, 3198, 2890, 396, 123, 579, 323, 726]],
  [2022, [227, 8574, 6129, 3104, 3727, 9010, 3573, 2987, 561, 120, 714, 301, 688]],
  [2023, [192, 9643, 5805, 4380, 3500, 9425, 10956, 3104, 643, 152, 548, 238, 634]],
];

/** Victim and weapon profile of one description. */
export interface VictimProfile {
  /** Share of rows with no person victim (Gender, Age, Race and Ethnicity blank). */
  noVictim: number;
  /** Victim gender weights: M, F, U. */
  gender: readonly [m: number, f: number, u: number];
  /** Spell gender out as `Male` / `Female` (the shooting and homicide records come from another system). */
  spelledGender: boolean;
  /** Victim age: mean and standard deviation in years (normal, truncated to 0..95). */
  age: readonly [mean: number, sd: number];
  /** Victim race weights (blank included: race unrecorded for a person victim). */
  race: Weighted<string>;
  /** Weapon weights (blank included). */
  weapon: Weighted<string>;
  /** CrimeCode weights. */
  code: Weighted<string>;
  /** Share of rows inside a building. */
  inside: number;
}

const B = "BLACK_OR_AFRICAN_AMERICAN";
const W = "WHITE";
const A = "ASIAN";
const NH = "NATIVE_HAWAIIAN_OR_OTHER_PACIFIC_ISLANDER";
const AI = "AMERICAN_INDIAN_OR_ALASKA_NATIVE";
const UNK = "UNKNOWN";

/**
 * Profiles per description, from the 2022 sample. Shooting and homicide use wider published patterns than the
 * sample's 20 rows (young men, firearms), which is the planted cluster structure together with the female
 * common-assault and rape victims and the victimless property crimes.
 */
export const BALTIMORE_PROFILES: Readonly<Record<(typeof BALTIMORE_DESCRIPTIONS)[number], VictimProfile>> = {
  RAPE: {
    noVictim: 0.02,
    gender: [4, 95, 1],
    spelledGender: false,
    age: [26.6, 8.1],
    race: [
      [B, 5],
      [W, 4],
      [UNK, 1],
    ],
    weapon: [
      ["", 5],
      ["PERSONAL_WEAPONS", 4],
      ["FIREARM", 1],
    ],
    code: [
      ["2A", 114],
      ["2B", 13],
    ],
    inside: 0.85,
  },
  LARCENY: {
    noVictim: 0.4,
    gender: [98, 87, 1],
    spelledGender: false,
    age: [39.1, 14.9],
    race: [
      [B, 90],
      [W, 56],
      [A, 10],
      [NH, 1],
      [UNK, 1],
      ["", 27],
    ],
    weapon: [
      ["", 301],
      ["PERSONAL_WEAPONS", 5],
      ["OTHER", 1],
      ["KNIFE_CUTTING_INSTRUMENT", 1],
      ["BLUNT_OBJECT", 1],
    ],
    code: [
      ["6J", 1390],
      ["6E", 1243],
      ["6G", 1156],
      ["6C", 1135],
      ["6F", 109],
      ["6B", 86],
      ["6L", 29],
      ["6A", 25],
      ["6H", 8],
    ],
    inside: 0.6,
  },
  "AGG. ASSAULT": {
    noVictim: 0.005,
    gender: [59, 82, 1],
    spelledGender: false,
    age: [31.8, 14.3],
    race: [
      [B, 98],
      [W, 34],
      [A, 1],
      [NH, 1],
      ["", 8],
    ],
    weapon: [
      ["PERSONAL_WEAPONS", 32],
      ["KNIFE_CUTTING_INSTRUMENT", 27],
      ["BLUNT_OBJECT", 24],
      ["HANDGUN", 14],
      ["OTHER", 11],
      ["FIREARM", 11],
      ["", 9],
      ["FIRE_INCENDIARY_DEVICE", 6],
      ["ASPHYXIATION", 4],
      ["UNKNOWN", 1],
      ["SHOTGUN", 1],
      ["MOTOR_VEHICLE_VESSEL", 1],
      ["RIFLE", 1],
    ],
    code: [
      ["4C", 1102],
      ["4A", 702],
      ["4B", 578],
      ["4D", 370],
    ],
    inside: 0.45,
  },
  "LARCENY FROM AUTO": {
    noVictim: 0.105,
    gender: [55, 46, 1],
    spelledGender: false,
    age: [39.6, 14.4],
    race: [
      [B, 57],
      [W, 27],
      [NH, 2],
      [UNK, 2],
      [A, 1],
      ["", 13],
    ],
    weapon: [["", 1]],
    code: [["6D", 1]],
    inside: 0.1,
  },
  BURGLARY: {
    noVictim: 0.36,
    gender: [25, 38, 1],
    spelledGender: false,
    age: [42.5, 17.2],
    race: [
      [B, 41],
      [W, 14],
      [NH, 1],
      [A, 1],
      ["", 7],
    ],
    weapon: [
      ["", 92],
      ["PERSONAL_WEAPONS", 6],
      ["KNIFE_CUTTING_INSTRUMENT", 2],
    ],
    code: [
      ["5A", 1561],
      ["5D", 569],
      ["5B", 214],
      ["5C", 159],
      ["5E", 51],
      ["5F", 36],
      ["5G", 18],
    ],
    inside: 0.97,
  },
  "COMMON ASSAULT": {
    noVictim: 0.01,
    gender: [114, 176, 3],
    spelledGender: false,
    age: [33.9, 16.9],
    race: [
      [B, 218],
      [W, 44],
      [A, 6],
      [AI, 4],
      [NH, 2],
      ["", 19],
    ],
    weapon: [
      ["PERSONAL_WEAPONS", 203],
      ["", 80],
      ["UNKNOWN", 7],
      ["OTHER", 6],
    ],
    code: [["4E", 1]],
    inside: 0.6,
  },
  "AUTO THEFT": {
    noVictim: 0.087,
    gender: [65, 60, 1],
    spelledGender: false,
    age: [42, 14.3],
    race: [
      [B, 75],
      [W, 23],
      [NH, 3],
      [A, 1],
      ["", 24],
    ],
    weapon: [
      ["", 137],
      ["FIREARM", 1],
    ],
    code: [
      ["7A", 1749],
      ["7C", 121],
      ["7B", 4],
    ],
    inside: 0.08,
  },
  ROBBERY: {
    noVictim: 0.01,
    gender: [53, 35, 0],
    spelledGender: false,
    age: [35.1, 13.9],
    race: [
      [B, 39],
      [W, 32],
      [AI, 1],
      ["", 16],
    ],
    weapon: [
      ["PERSONAL_WEAPONS", 36],
      ["HANDGUN", 22],
      ["FIREARM", 11],
      ["KNIFE_CUTTING_INSTRUMENT", 11],
      ["BLUNT_OBJECT", 2],
      ["", 2],
      ["OTHER_FIREARM", 2],
      ["UNKNOWN", 1],
      ["OTHER", 1],
    ],
    code: [
      ["3AF", 707],
      ["3B", 508],
      ["3AK", 136],
      ["3AO", 121],
      ["3K", 106],
      ["3JF", 55],
      ["3P", 33],
      ["3JK", 16],
      ["3JO", 13],
      ["3NF", 13],
      ["3NK", 4],
      ["3NO", 4],
    ],
    inside: 0.25,
  },
  "ROBBERY - COMMERCIAL": {
    noVictim: 0.7,
    gender: [6, 2, 0],
    spelledGender: false,
    age: [37, 14.5],
    race: [
      [B, 5],
      [W, 1],
      ["", 1],
    ],
    weapon: [
      ["PERSONAL_WEAPONS", 10],
      ["HANDGUN", 4],
      ["KNIFE_CUTTING_INSTRUMENT", 3],
      ["OTHER", 3],
      ["OTHER_FIREARM", 2],
      ["FIRE_INCENDIARY_DEVICE", 2],
      ["BLUNT_OBJECT", 1],
      ["UNKNOWN", 1],
      ["", 1],
    ],
    code: [
      ["3CF", 151],
      ["3D", 81],
      ["3CO", 40],
      ["3CK", 31],
      ["3GF", 24],
      ["3H", 17],
      ["3M", 15],
      ["3LF", 11],
      ["3F", 8],
      ["3EF", 7],
      ["3GO", 7],
      ["3GK", 5],
    ],
    inside: 0.95,
  },
  ARSON: {
    noVictim: 0.5,
    gender: [1, 1, 0],
    spelledGender: false,
    age: [45, 18],
    race: [
      [B, 2],
      [W, 1],
      [A, 1],
    ],
    weapon: [["", 1]],
    code: [
      ["8H", 16],
      ["8AO", 8],
      ["8J", 8],
      ["8FO", 5],
      ["8BO", 2],
      ["8BV", 2],
      ["8GO", 2],
      ["8EO", 1],
      ["8I", 1],
    ],
    inside: 0.8,
  },
  "ROBBERY - CARJACKING": {
    noVictim: 0.01,
    gender: [12, 2, 0],
    spelledGender: false,
    age: [40.2, 18.9],
    race: [
      [B, 8],
      [W, 5],
      [A, 1],
    ],
    weapon: [
      ["HANDGUN", 11],
      ["FIREARM", 1],
      ["KNIFE_CUTTING_INSTRUMENT", 1],
      ["PERSONAL_WEAPONS", 1],
    ],
    code: [
      ["3AJF", 180],
      ["3BJ", 38],
      ["3AJO", 15],
      ["3AJK", 9],
    ],
    inside: 0.05,
  },
  HOMICIDE: {
    noVictim: 0,
    gender: [88, 12, 0],
    spelledGender: true,
    age: [31, 12],
    race: [
      [B, 88],
      [W, 9],
      [A, 2],
      ["", 1],
    ],
    weapon: [
      ["FIREARM", 85],
      ["KNIFE_CUTTING_INSTRUMENT", 9],
      ["OTHER", 6],
    ],
    code: [
      ["1A", 151],
      ["1K", 9],
      ["1O", 5],
    ],
    inside: 0.3,
  },
  SHOOTING: {
    noVictim: 0,
    gender: [87, 13, 0],
    spelledGender: true,
    age: [27, 10],
    race: [
      [B, 92],
      [W, 6],
      ["", 2],
    ],
    weapon: [["FIREARM", 1]],
    code: [["9S", 1]],
    inside: 0.12,
  },
};

/** Police districts and the first digit of their posts. */
export const BALTIMORE_DISTRICT_DIGIT: Readonly<Record<string, number>> = {
  CENTRAL: 1,
  SOUTHEAST: 2,
  EASTERN: 3,
  NORTHEAST: 4,
  NORTHERN: 5,
  NORTHWEST: 6,
  WESTERN: 7,
  SOUTHWEST: 8,
  SOUTHERN: 9,
};

/** Rows by hour of CrimeDateTime (UTC), 0..23, from the 2022 sample. */
export const BALTIMORE_HOUR_WEIGHTS: readonly number[] = [
  65, 36, 39, 29, 29, 24, 19, 29, 30, 36, 47, 51, 45, 54, 44, 81, 58, 76, 75, 104, 75, 82, 61, 72,
];

/** Premise values for rows inside a building. */
export const INSIDE_PREMISES: Weighted<string> = [
  ["ROW/TOWNHOUSE-OCC", 40],
  ["APT/CONDO - OCCUPIED", 15],
  ["SINGLE HOUSE-OCC", 6],
  ["CONVENIENCE STORE", 5],
  ["GROCERY/CONFECTION", 4],
  ["DEPARTMENT STORE", 4],
  ["RESTAURANT", 3],
  ["BAR", 2],
  ["OFFICE BUILDING", 2],
  ["HOSPITAL", 2],
  ["DRUG STORE / MED B", 2],
  ["SCHOOL", 1],
  ["CHAIN FOOD", 1],
  ["ROW/TOWNHOUSE-VAC", 1],
];

/** Premise values for rows outside. */
export const OUTSIDE_PREMISES: Weighted<string> = [
  ["STREET", 60],
  ["PARKING LOT-OUTSIDE", 12],
  ["ALLEY", 5],
  ["YARD", 4],
  ["DRIVEWAY", 3],
  ["PUBLIC AREA", 3],
  ["PARK", 2],
  ["BUS/RAILROAD STOP", 2],
  ["GAS STATION", 2],
  ["VACANT LOT", 1],
  ["PARKING GARAGE", 1],
];

/** Violence-reduction-initiative zone names (most rows have none). */
export const VRI_NAMES: Weighted<string> = [
  ["", 960],
  ["Western", 8],
  ["Tri-District", 8],
  ["Central", 6],
  ["Brooklyn", 5],
  ["Southwestern", 5],
  ["Eastern 1", 4],
  ["Eastern 2", 4],
];

/** Street names for hundred-block locations. */
export const BALTIMORE_STREETS: readonly string[] = [
  "RUXTON AVE",
  "E BALTIMORE ST",
  "W LEXINGTON ST",
  "W BARNEY ST",
  "E PRATT ST",
  "JOHNSON ST",
  "S CHARLES ST",
  "ODONNELL ST",
  "HARTWAIT ST",
  "WHITELOCK ST",
  "N MONTFORD AVE",
  "BOARMAN AVE",
  "BATEMAN AVE",
  "E PLEASANT ST",
  "PULASKI HWY",
  "LOYOLA NORTHWAY",
  "LINDEN AVE",
  "BRISBANE RD",
  "N CHARLES ST",
  "GREENMOUNT AVE",
  "HARFORD RD",
  "BELAIR RD",
  "W NORTH AVE",
  "E NORTH AVE",
  "PENNSYLVANIA AVE",
  "W FAYETTE ST",
  "FREDERICK AVE",
  "EDMONDSON AVE",
  "LIBERTY HEIGHTS AVE",
  "REISTERSTOWN RD",
  "PARK HEIGHTS AVE",
  "W COLD SPRING LN",
  "YORK RD",
  "E 25TH ST",
  "WASHINGTON BLVD",
  "HANOVER ST",
  "EASTERN AVE",
  "N MILTON AVE",
  "W FRANKLIN ST",
  "WILKENS AVE",
  "E MONUMENT ST",
  "GARRISON BLVD",
  "ERDMAN AVE",
  "ALAMEDA",
  "LIGHT ST",
  "ST PAUL ST",
  "N PATTERSON PARK AVE",
];
