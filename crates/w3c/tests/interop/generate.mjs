// Makes the interoperability fixtures in this directory with Digital Bazaar's bbs-2023 implementation
// (the JavaScript libraries behind the W3C test suite's reference issuer and verifier), so that
// tests/interop.rs can check ecert-w3c against an independent implementation without Node.js.
//
//   cd crates/w3c/tests/interop && npm install && node generate.mjs
//
// `node generate.mjs verify FILE...` instead verifies presentations made by ecert-w3c, and
// `node generate.mjs derive FILE...` derives presentations from credentials it issued (the reverse
// direction; see README.md). Contexts come from ../../contexts, the files ecert-w3c bundles, so both
// implementations read the same context documents; nothing is fetched.
import fs from 'node:fs';
import * as bbs2023 from '@digitalbazaar/bbs-2023-cryptosuite';
import * as Bls12381Multikey from '@digitalbazaar/bls12-381-multikey';
import {DataIntegrityProof} from '@digitalbazaar/data-integrity';
import jsigs from 'jsonld-signatures';

const here = new URL('.', import.meta.url).pathname;
const contextFiles = {
  'https://www.w3.org/ns/credentials/v2': 'credentials-v2.jsonld',
  'https://www.w3.org/2018/credentials/v1': 'credentials-v1.jsonld',
  'https://www.w3.org/ns/credentials/examples/v2': 'credentials-examples-v2.jsonld',
  'https://w3id.org/security/data-integrity/v1': 'data-integrity-v1.jsonld',
  'https://w3id.org/security/data-integrity/v2': 'data-integrity-v2.jsonld',
  'https://w3id.org/security/multikey/v1': 'multikey-v1.jsonld',
  'https://w3id.org/vdl/v1': 'vdl-v1.jsonld',
  'https://w3id.org/vdl/aamva/v1': 'vdl-aamva-v1.jsonld',
  'https://w3id.org/citizenship/v4rc1': 'citizenship-v4rc1.jsonld',
};

// Bundled contexts, and did:key documents made from the key in the identifier.
async function documentLoader(url) {
  const file = contextFiles[url];
  if(file) {
    const document = JSON.parse(fs.readFileSync(`${here}../../contexts/${file}`, 'utf8'));
    return {contextUrl: null, documentUrl: url, document};
  }
  if(url.startsWith('did:key:')) {
    const [did, fragment] = url.split('#');
    const multibase = did.slice('did:key:'.length);
    const method = {
      '@context': 'https://w3id.org/security/multikey/v1',
      id: `${did}#${multibase}`,
      type: 'Multikey',
      controller: did,
      publicKeyMultibase: multibase
    };
    const document = fragment ? method : {
      '@context': ['https://www.w3.org/ns/did/v1', 'https://w3id.org/security/multikey/v1'],
      id: did,
      verificationMethod: [method],
      assertionMethod: [method.id]
    };
    return {contextUrl: null, documentUrl: url, document};
  }
  throw new Error(`not bundled: ${url}`);
}

const purpose = new jsigs.purposes.AssertionProofPurpose();
const presentationHeaderHex = '113377aa';

const licence = {
  '@context': ['https://www.w3.org/ns/credentials/v2', 'https://w3id.org/vdl/v1'],
  id: 'urn:uuid:36245ee9-9074-4b05-a777-febff2e69757',
  type: ['VerifiableCredential', 'Iso18013DriversLicenseCredential'],
  validFrom: '2024-01-15T00:00:00Z',
  credentialSubject: {
    type: 'LicensedDriver',
    driversLicense: {
      type: 'Iso18013DriversLicense',
      document_number: '542426814',
      family_name: 'TURNER',
      given_name: 'SUSAN',
      birth_date: '1998-08-28',
      expiry_date: '2029-01-15T12:00:00-06:00',
      issuing_authority: 'UADMV',
      sex: 2,
      age_over_21: true
    }
  }
};

const sailing = {
  '@context': [
    'https://www.w3.org/2018/credentials/v1',
    {
      '@protected': true,
      name: 'https://schema.org/name',
      SailingCredential: 'urn:example:SailingCredential',
      Sailor: {
        '@id': 'urn:example:Sailor',
        '@context': {
          '@protected': true,
          id: '@id',
          type: '@type',
          sailNumber: 'urn:example:sailNumber',
          sails: {
            '@id': 'urn:example:sails',
            '@context': {
              '@protected': true,
              sailName: 'urn:example:sailName',
              size: 'urn:example:size',
              year: 'urn:example:year'
            }
          },
          boards: {
            '@id': 'urn:example:boards',
            '@context': {
              '@protected': true,
              boardName: 'urn:example:boardName',
              year: 'urn:example:year'
            }
          }
        }
      },
      achievements: {'@id': 'urn:example:achievements', '@type': '@id'}
    }
  ],
  type: ['VerifiableCredential', 'SailingCredential'],
  issuanceDate: '2024-01-01T00:00:00Z',
  credentialSubject: {
    name: 'Li Wei',
    achievements: [{
      type: 'Sailor',
      sailNumber: 'CN101',
      sails: [
        {size: 5.5, sailName: 'Osprey', year: 2023},
        {size: 6.1, sailName: 'Eagle', year: 2023},
        {size: 7.0, sailName: 'Eagle', year: 2020},
        {size: 7.8, sailName: 'Eagle', year: 2023}
      ],
      boards: [{boardName: 'Foil170', year: 2022}, {boardName: 'Custom', year: 2019}]
    }, {
      type: 'Sailor',
      sailNumber: 'CN202',
      sails: [
        {size: 5.9, sailName: 'Kite', year: 2022},
        {size: 4.9, sailName: 'Crane', year: 2023}
      ],
      boards: [{boardName: 'Oak620', year: 2020}, {boardName: 'Excite', year: 2018}]
    }]
  }
};

const literals = {
  '@context': [
    'https://www.w3.org/ns/credentials/v2',
    'https://www.w3.org/ns/credentials/examples/v2'
  ],
  type: ['VerifiableCredential', 'ExampleResidenceCredential'],
  validFrom: '2024-01-15T00:00:00Z',
  name: {'@value': 'Carte de résidence', '@language': 'fr-CA'},
  credentialSubject: [{
    id: 'did:example:alice',
    givenName: 'Zoë "Z"\n\tline\u0007bell',
    nationalities: ['CN', 'FR', 'DE'],
    score: -42,
    ratio: 0.25,
    huge: 1e21,
    flag: false,
    address: {street: '12 Main St', city: '北京', geo: [{lat: 39.9}, {lat: 40.1}]}
  }, {
    givenName: 'Bob',
    nationalities: ['US'],
    address: {city: 'New York'}
  }]
};

const cases = [{
  name: 'licence-vc2',
  description: 'the W3C test suite\'s kind of driving licence: VC 2.0 + vdl v1, ids on the ' +
    'credential only, blank-node subject and licence',
  credential: licence,
  mandatoryPointers: ['/issuer', '/credentialSubject/driversLicense/issuing_authority'],
  selections: [
    ['/credentialSubject/driversLicense/expiry_date',
      '/credentialSubject/driversLicense/age_over_21'],
    [],
    ['/credentialSubject/driversLicense'],
    ['/validFrom', '/credentialSubject/driversLicense/sex']
  ]
}, {
  name: 'sailing-vc1',
  description: 'VC 1.1 (the Data Integrity context injected) with an inline @protected context ' +
    'of type-scoped and property-scoped contexts; nested arrays of blank nodes',
  credential: sailing,
  mandatoryPointers: ['/issuer', '/credentialSubject/achievements/0/sailNumber'],
  selections: [
    ['/credentialSubject/achievements/0/sails', '/credentialSubject/achievements/1'],
    ['/credentialSubject/achievements/0/sails/1', '/credentialSubject/achievements/0/sails/3'],
    ['/credentialSubject/achievements/1/boards/1/year',
      '/credentialSubject/achievements/0/sails/2/size'],
    ['/credentialSubject/achievements/1/sails/1/sailName', '/credentialSubject/name']
  ]
}, {
  name: 'literals-vc2',
  description: 'VC 2.0 + examples @vocab: a language-tagged value, control characters, CJK, ' +
    'negative and double numbers (1e21 included), two subjects',
  credential: literals,
  mandatoryPointers: ['/issuer', '/credentialSubject/0/address/city'],
  selections: [
    ['/credentialSubject/0/nationalities/1', '/credentialSubject/1/address', '/name'],
    ['/credentialSubject/0/givenName', '/credentialSubject/0/score',
      '/credentialSubject/0/ratio', '/credentialSubject/0/huge', '/credentialSubject/0/flag',
      '/credentialSubject/0/address/geo/1'],
    ['/credentialSubject/1']
  ]
}];

async function generate() {
  const generatedBy = {};
  for(const p of ['@digitalbazaar/bbs-2023-cryptosuite', '@digitalbazaar/data-integrity',
    '@digitalbazaar/di-sd-primitives', '@digitalbazaar/bbs-signatures', 'jsonld-signatures',
    'jsonld', 'rdf-canonize']) {
    const manifest = new URL(`node_modules/${p}/package.json`, import.meta.url);
    generatedBy[p] = JSON.parse(fs.readFileSync(manifest, 'utf8')).version;
  }
  for(const [i, c] of cases.entries()) {
    // A fixed test key per case: the fixtures then change only when the libraries do.
    const keyPair = await Bls12381Multikey.generateBbsKeyPair({
      algorithm: Bls12381Multikey.ALGORITHMS.BBS_BLS12381_SHA256,
      seed: new Uint8Array(32).fill(i + 1)
    });
    const did = `did:key:${keyPair.publicKeyMultibase}`;
    keyPair.controller = did;
    keyPair.id = `${did}#${keyPair.publicKeyMultibase}`;
    const credential = {...structuredClone(c.credential), issuer: did};
    // bbs-2023-cryptosuite 2.0.1 leaves `created` out of every base proof, whatever `date` says.
    const signSuite = new DataIntegrityProof({
      signer: keyPair.signer(),
      date: null,
      cryptosuite: bbs2023.createSignCryptosuite({mandatoryPointers: c.mandatoryPointers})
    });
    const signed = await jsigs.sign(structuredClone(credential),
      {suite: signSuite, purpose, documentLoader});
    const derived = [];
    for(const selectivePointers of c.selections) {
      const suite = new DataIntegrityProof({
        cryptosuite: bbs2023.createDiscloseCryptosuite({
          selectivePointers,
          presentationHeader: Uint8Array.from(Buffer.from(presentationHeaderHex, 'hex'))
        })
      });
      const revealed = await jsigs.derive(structuredClone(signed),
        {suite, purpose, documentLoader});
      await check(revealed);
      derived.push({selectivePointers, revealed});
    }
    const fixture = {
      case: c.name,
      description: c.description,
      generatedBy,
      secretKeyHex: Buffer.from(keyPair.secretKey).toString('hex'),
      publicKeyMultibase: keyPair.publicKeyMultibase,
      credential,
      mandatoryPointers: c.mandatoryPointers,
      signed,
      presentationHeaderHex,
      derived
    };
    fs.writeFileSync(`${here}${c.name}.json`, JSON.stringify(fixture, null, 2) + '\n');
    console.log(`${c.name}.json: ${derived.length} derived proofs`);
  }
}

async function check(document) {
  const suite = new DataIntegrityProof({cryptosuite: bbs2023.createVerifyCryptosuite()});
  const result = await jsigs.verify(document, {suite, purpose, documentLoader});
  if(!result.verified) {
    throw new Error(`does not verify: ${result.error?.errors?.[0] ?? result.error}`);
  }
}

// A presentation of a credential issued elsewhere, with every selection of its case, each verified.
async function deriveFrom(file) {
  const signed = JSON.parse(fs.readFileSync(file, 'utf8'));
  const c = cases.find(c => file.endsWith(`${c.name}-base.json`));
  for(const selectivePointers of c.selections) {
    const suite = new DataIntegrityProof({
      cryptosuite: bbs2023.createDiscloseCryptosuite({
        selectivePointers,
        presentationHeader: Uint8Array.from(Buffer.from(presentationHeaderHex, 'hex'))
      })
    });
    await check(await jsigs.derive(structuredClone(signed), {suite, purpose, documentLoader}));
  }
  console.log(`${file}: ${c.selections.length} presentations derived and verified`);
}

const [command, ...files] = process.argv.slice(2);
if(command === 'verify') {
  for(const file of files) {
    await check(JSON.parse(fs.readFileSync(file, 'utf8')));
    console.log(`${file}: verified`);
  }
} else if(command === 'derive') {
  for(const file of files) {
    await deriveFrom(file);
  }
} else {
  await generate();
}
