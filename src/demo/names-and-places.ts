// Names and places for the vendor exports.

import type { Random } from './random.js';

const FIRST_NAMES = [
  'Anna', 'Lukas', 'Sophie', 'Jonas', 'Marie', 'Felix', 'Laura', 'Paul', 'Lea', 'Max', 'Emma', 'Noah',
  'Clara', 'Elias', 'Mia', 'Ben', 'Hannah', 'Finn', 'Julia', 'Leon', 'Sara', 'Tom', 'Nina', 'David',
] as const;
const LAST_NAMES = [
  'Schmidt', 'Fischer', 'Weber', 'Meyer', 'Wagner', 'Becker', 'Hoffmann', 'Koch', 'Richter', 'Klein',
  'Wolf', 'Neumann', 'Schwarz', 'Braun', 'Zimmermann', 'Hartmann', 'Janssen', 'de Vries', 'Dubois', 'Rossi',
] as const;

export function personName(random: Random): { readonly first: string; readonly last: string } {
  return {
    first: FIRST_NAMES[Math.floor(random() * FIRST_NAMES.length)]!,
    last: LAST_NAMES[Math.floor(random() * LAST_NAMES.length)]!,
  };
}

export const CITIES = [
  ['Berlin', '10115', 'DE'],
  ['Hamburg', '20095', 'DE'],
  ['München', '80331', 'DE'],
  ['Köln', '50667', 'DE'],
  ['Dresden', '01067', 'DE'],
  ['Leipzig', '04109', 'DE'],
  ['Wien', '1010', 'AT'],
  ['Graz', '8010', 'AT'],
  ['Amsterdam', '1012 AB', 'NL'],
  ['Rotterdam', '3011 AA', 'NL'],
  ['Bruxelles', '1000', 'BE'],
  ['Paris', '75001', 'FR'],
  ['Lyon', '69001', 'FR'],
  ['Milano', '20121', 'IT'],
  ['Madrid', '28001', 'ES'],
] as const;
