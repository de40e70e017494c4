/**
 * The contract text is data (issue 14, item 2): versioned model-contract templates in Kazakh and
 * Russian that the administrator maintains (src/contract-templates/). A body is plain text: its
 * first paragraph is the title, paragraphs are separated by an empty line, and named placeholders
 * such as {{child}} are filled from the referral (src/contracts/template.ts lists them).
 *
 * States: draft (being edited; at most one) → active (published: in force from published_at;
 * exactly one) → retired (replaced by a newer version). A published version is never edited.
 *
 * Version 1 is the wording Kezek shipped in src/contracts/template.ts, so a fresh database behaves
 * as before. It is the project's own wording (source 'project'), NOT the Ministry's model form: the
 * search for the official model contract found the Rules of state services in preschool education
 * (order No. 254 of 19 June 2020) but not the model contract's text (docs/AFTER-THE-DOOR.md).
 */
export const up = `
create table contract_templates (
  id bigint generated always as identity primary key,
  version integer not null unique check (version > 0),
  status text not null check (status in ('draft', 'active', 'retired')),
  -- whose wording: 'project' — shipped with Kezek, its own wording; 'city' — written by the city's administrator
  source text not null check (source in ('project', 'city')),
  body_kk text not null check (length(btrim(body_kk)) > 0),
  body_ru text not null check (length(btrim(body_ru)) > 0),
  -- the version a draft was copied from
  based_on integer references contract_templates(version),
  author_id bigint references staff_users(id),
  created_at timestamptz not null,
  updated_at timestamptz not null,
  -- active from: set when the version is published
  published_at timestamptz,
  published_by bigint references staff_users(id),
  publish_reason text,
  retired_at timestamptz,
  check ((status = 'draft') = (published_at is null)),
  check ((status = 'retired') = (retired_at is not null))
);
create index contract_templates_based_on_idx on contract_templates(based_on);
create index contract_templates_author_id_idx on contract_templates(author_id);
create index contract_templates_published_by_idx on contract_templates(published_by);
-- exactly one version in force, at most one draft
create unique index contract_templates_one_active on contract_templates(status) where status = 'active';
create unique index contract_templates_one_draft on contract_templates(status) where status = 'draft';

insert into contract_templates (version, status, source, body_kk, body_ru, created_at, updated_at, published_at)
values (1, 'active', 'project', $kk$Мектепке дейінгі тәрбие мен оқыту қызметтерін көрсету туралы үлгілік шарт № {{number}}

Күні: {{date}}. Электрондық жолдама № {{referral_number}}.

{{organisation}} ({{organisation_address}}), бұдан әрі «Ұйым», бір тараптан, және баланың заңды өкілі {{parent}} (ЖСН {{parent_iin}}, тел. {{parent_phone}}), бұдан әрі «Ата-ана», екінші тараптан, төмендегілер туралы осы шартты жасасты.

1. Шарттың мәні. Ұйым {{child}} (ЖСН {{child_iin}}, туған күні {{child_birth_date}}) баланы «{{group}}» тобына ({{group_language}} тілінде) қабылдайды және оған мемлекеттік жалпыға міндетті мектепке дейінгі тәрбие мен оқыту стандартына сәйкес тәрбие мен оқыту қызметтерін көрсетеді.

2. Ұйымның міндеттері: баланың өмірі мен денсаулығын қорғау; оқу бағдарламасын толық көлемде іске асыру; баланы бекітілген норма бойынша тамақпен қамтамасыз ету; Ата-анаға баланың дамуы туралы хабарлап отыру.

3. Ата-ананың міндеттері: баланы белгіленген уақытта әкеліп, алып кету; баланың денсаулығындағы өзгерістер туралы хабарлау; ата-ана төлемін заңнамада белгіленген мөлшерде уақтылы енгізу.

4. Қабылдау кезінде тек мына құжаттар талап етіледі: заңды өкілдің жеке куәлігі, баланың туу туралы куәлігі, денсаулық жағдайы туралы анықтама, денсаулық паспорты және ерекше білім беру қажеттіліктері бар балалар үшін ғана ПМПК қорытындысы. Ата-ана осы шарттан басқа ешбір құжатқа қол қоймауына құқылы.

5. Шарт қол қойылған күннен бастап күшіне енеді және бала мектепке дейінгі ұйымнан шыққанға дейін әрекет етеді. Шарт екі данада жасалады, әр тарапқа бір данадан беріледі.$kk$, $ru$Типовой договор об оказании услуг дошкольного воспитания и обучения № {{number}}

Дата: {{date}}. Электронное направление № {{referral_number}}.

{{organisation}} ({{organisation_address}}), далее «Организация», с одной стороны, и законный представитель ребёнка {{parent}} (ИИН {{parent_iin}}, тел. {{parent_phone}}), далее «Родитель», с другой стороны, заключили настоящий договор о нижеследующем.

1. Предмет договора. Организация принимает ребёнка {{child}} (ИИН {{child_iin}}, дата рождения {{child_birth_date}}) в группу «{{group}}» (язык обучения: {{group_language}}) и оказывает ему услуги воспитания и обучения в соответствии с государственным общеобязательным стандартом дошкольного воспитания и обучения.

2. Организация обязуется: охранять жизнь и здоровье ребёнка; реализовывать учебную программу в полном объёме; обеспечивать ребёнка питанием по установленным нормам; информировать Родителя о развитии ребёнка.

3. Родитель обязуется: приводить и забирать ребёнка в установленное время; сообщать об изменениях в здоровье ребёнка; своевременно вносить родительскую плату в размере, установленном законодательством.

4. При приёме требуются только: удостоверение личности законного представителя, свидетельство о рождении ребёнка, справка о состоянии здоровья, паспорт здоровья и — только для детей с особыми образовательными потребностями — заключение ПМПК. Родитель вправе не подписывать никаких документов, кроме настоящего договора.

5. Договор вступает в силу со дня подписания и действует до выбытия ребёнка из дошкольной организации. Договор составлен в двух экземплярах, по одному для каждой стороны.$ru$, now(), now(), now());
`;
