/**
 * The model contract for educational services of a preschool organisation: one standard text,
 * versioned, in Kazakh and Russian. Parents may refuse to sign anything else (leaflet), so the
 * kindergarten cannot edit it: it is filled in from the referral and rendered (./pdf.ts). A new
 * wording is a new version; a signed contract keeps the version it was signed on
 * (contracts.template_version).
 */
export const CONTRACT_TEMPLATE_VERSION = 'model-2026.1';

export type ContractLang = 'kk' | 'ru';

/** What the template is filled with: names and numbers of the parties, never anything else. */
export interface ContractFields {
  contractNumber: string;
  referralNumber: string;
  /** 'DD.MM.YYYY' */
  date: string;
  organisationName: string;
  organisationAddress: string;
  parentName: string;
  parentIin: string;
  parentPhone: string;
  childName: string;
  childIin: string;
  /** 'DD.MM.YYYY' */
  childBirthDate: string;
  groupName: string;
  groupLanguage: string;
}

export interface ContractText {
  title: string;
  /** Paragraphs; {field} is replaced by the filled value. */
  paragraphs: string[];
  /** Signature block labels. */
  provider: string;
  customer: string;
  signature: string;
  verify: string;
}

const KK: ContractText = {
  title: 'Мектепке дейінгі тәрбие мен оқыту қызметтерін көрсету туралы үлгілік шарт № {contractNumber}',
  paragraphs: [
    'Күні: {date}. Электрондық жолдама № {referralNumber}.',
    '{organisationName} ({organisationAddress}), бұдан әрі «Ұйым», бір тараптан, және баланың заңды өкілі {parentName} (ЖСН {parentIin}, тел. {parentPhone}), бұдан әрі «Ата-ана», екінші тараптан, төмендегілер туралы осы шартты жасасты.',
    '1. Шарттың мәні. Ұйым {childName} (ЖСН {childIin}, туған күні {childBirthDate}) баланы «{groupName}» тобына ({groupLanguage} тілінде) қабылдайды және оған мемлекеттік жалпыға міндетті мектепке дейінгі тәрбие мен оқыту стандартына сәйкес тәрбие мен оқыту қызметтерін көрсетеді.',
    '2. Ұйымның міндеттері: баланың өмірі мен денсаулығын қорғау; оқу бағдарламасын толық көлемде іске асыру; баланы бекітілген норма бойынша тамақпен қамтамасыз ету; Ата-анаға баланың дамуы туралы хабарлап отыру.',
    '3. Ата-ананың міндеттері: баланы белгіленген уақытта әкеліп, алып кету; баланың денсаулығындағы өзгерістер туралы хабарлау; ата-ана төлемін заңнамада белгіленген мөлшерде уақтылы енгізу.',
    '4. Қабылдау кезінде тек мына құжаттар талап етіледі: заңды өкілдің жеке куәлігі, баланың туу туралы куәлігі, денсаулық жағдайы туралы анықтама, денсаулық паспорты және ерекше білім беру қажеттіліктері бар балалар үшін ғана ПМПК қорытындысы. Ата-ана осы шарттан басқа ешбір құжатқа қол қоймауына құқылы.',
    '5. Шарт қол қойылған күннен бастап күшіне енеді және бала мектепке дейінгі ұйымнан шыққанға дейін әрекет етеді. Шарт екі данада жасалады, әр тарапқа бір данадан беріледі.',
  ],
  provider: 'Ұйым',
  customer: 'Ата-ана',
  signature: 'Қолы',
  verify: 'Құжаттың түпнұсқалығын тексеру:',
};

const RU: ContractText = {
  title: 'Типовой договор об оказании услуг дошкольного воспитания и обучения № {contractNumber}',
  paragraphs: [
    'Дата: {date}. Электронное направление № {referralNumber}.',
    '{organisationName} ({organisationAddress}), далее «Организация», с одной стороны, и законный представитель ребёнка {parentName} (ИИН {parentIin}, тел. {parentPhone}), далее «Родитель», с другой стороны, заключили настоящий договор о нижеследующем.',
    '1. Предмет договора. Организация принимает ребёнка {childName} (ИИН {childIin}, дата рождения {childBirthDate}) в группу «{groupName}» (язык обучения: {groupLanguage}) и оказывает ему услуги воспитания и обучения в соответствии с государственным общеобязательным стандартом дошкольного воспитания и обучения.',
    '2. Организация обязуется: охранять жизнь и здоровье ребёнка; реализовывать учебную программу в полном объёме; обеспечивать ребёнка питанием по установленным нормам; информировать Родителя о развитии ребёнка.',
    '3. Родитель обязуется: приводить и забирать ребёнка в установленное время; сообщать об изменениях в здоровье ребёнка; своевременно вносить родительскую плату в размере, установленном законодательством.',
    '4. При приёме требуются только: удостоверение личности законного представителя, свидетельство о рождении ребёнка, справка о состоянии здоровья, паспорт здоровья и — только для детей с особыми образовательными потребностями — заключение ПМПК. Родитель вправе не подписывать никаких документов, кроме настоящего договора.',
    '5. Договор вступает в силу со дня подписания и действует до выбытия ребёнка из дошкольной организации. Договор составлен в двух экземплярах, по одному для каждой стороны.',
  ],
  provider: 'Организация',
  customer: 'Родитель',
  signature: 'Подпись',
  verify: 'Проверка подлинности документа:',
};

export const CONTRACT_TEXTS: Record<ContractLang, ContractText> = { kk: KK, ru: RU };

export const LANGUAGE_NAMES: Record<ContractLang, Record<'kk' | 'ru', string>> = {
  kk: { kk: 'қазақ', ru: 'орыс' },
  ru: { kk: 'казахский', ru: 'русский' },
};

/** The template with every {field} filled in. An unknown field is a bug in the template: it throws. */
export function fillContract(lang: ContractLang, f: ContractFields): ContractText {
  const t = CONTRACT_TEXTS[lang];
  const fill = (s: string) =>
    s.replace(/\{(\w+)\}/g, (_, k: string) => {
      const v = (f as unknown as Record<string, string | undefined>)[k];
      if (v === undefined) throw new Error(`contract template ${CONTRACT_TEMPLATE_VERSION}: unknown field ${k}`);
      return v;
    });
  return { ...t, title: fill(t.title), paragraphs: t.paragraphs.map(fill) };
}
