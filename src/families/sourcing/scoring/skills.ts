/**
 * The skill vocabulary: every skill the scoring model recognises, its canonical name, and the
 * aliases people write for it (k8s → Kubernetes, Postgres → PostgreSQL, JS → JavaScript).
 *
 * Guarantees: matching is case-insensitive and respects word edges, so "Java" is not found in
 * "JavaScript" and "Go" is not found in "Google". Aliases marked `!` are too ambiguous for free
 * text ("Go", "R", "C") and are recognised only as an entry of a skills list. `=> A, B` says a
 * skill implies others (EKS is Kubernetes on AWS). A skill outside this table is still matched
 * when the job description and the profile spell it the same way (see `requirements.ts`).
 */

const TABLE = `
JavaScript: js, javascript, ecmascript, es6, es2015, vanilla js
TypeScript: ts, typescript
Node.js: node, nodejs, node.js, node js
Deno: deno
Bun: bun!
Python: python, python3, py!
Java: java, java 8, java 11, java 17
Kotlin: kotlin
Scala: scala
Go: golang, go!, go lang
Rust: rust, rustlang
C: c!, ansi c
C++: c++, cpp, c plus plus
C#: c#, csharp, c sharp
.NET: .net, dotnet, .net core, asp.net
Ruby: ruby
Ruby on Rails: rails, ruby on rails, ror => Ruby
PHP: php
Laravel: laravel => PHP
Swift: swift
Objective-C: objective-c, objc
Elixir: elixir
Erlang: erlang
Haskell: haskell
Clojure: clojure
R: r!, r language, rstats
MATLAB: matlab
Julia: julia!
Bash: bash, shell scripting, shell!
SQL: sql, t-sql, pl/sql, ansi sql
Express: express!, express.js, expressjs => Node.js
NestJS: nestjs, nest.js => Node.js, TypeScript
Fastify: fastify => Node.js
Koa: koa => Node.js
Django: django => Python
Flask: flask => Python
FastAPI: fastapi => Python
Spring: spring, spring boot, springboot => Java
React: react, react.js, reactjs
React Native: react native
Next.js: next.js, nextjs
Vue.js: vue, vue.js, vuejs
Angular: angular, angularjs
Svelte: svelte
HTML: html, html5
CSS: css, css3, sass, scss, tailwind, tailwindcss
GraphQL: graphql, apollo
REST APIs: rest!, restful, rest api, rest apis, restful apis
gRPC: grpc, protobuf, protocol buffers
Microservices: microservices, microservice, micro-services, service-oriented architecture
Event-driven architecture: event-driven, event driven, event sourcing, cqrs
Distributed systems: distributed systems, distributed system
System design: system design, systems design
PostgreSQL: postgresql, postgres, psql, pg!, postgre
MySQL: mysql, mariadb
SQLite: sqlite
SQL Server: sql server, mssql
Oracle Database: oracle db, oracle database, pl/sql
MongoDB: mongodb, mongo
Redis: redis
Elasticsearch: elasticsearch, elastic search, opensearch, elk
Cassandra: cassandra
DynamoDB: dynamodb, dynamo db => AWS
Kafka: kafka, apache kafka, kafka streams
RabbitMQ: rabbitmq, rabbit mq, amqp
NATS: nats!
Vector databases: vector databases, vector database, vector db, vector dbs, pinecone, weaviate, qdrant, milvus, pgvector, chroma!
AWS: aws, amazon web services, ec2, s3, lambda, aws lambda, cloudformation, ecs, fargate
GCP: gcp, google cloud, google cloud platform, gcs, cloud run
Azure: azure, microsoft azure
Kubernetes: kubernetes, k8s, kube, kubectl, helm, openshift
Amazon EKS: eks, amazon eks => Kubernetes, AWS
GKE: gke, google kubernetes engine => Kubernetes, GCP
AKS: aks => Kubernetes, Azure
Docker: docker, containers, containerization, dockerfile, podman
Terraform: terraform, opentofu, infrastructure as code, iac
Pulumi: pulumi
Ansible: ansible
CI/CD: ci/cd, cicd, continuous integration, continuous delivery, continuous deployment, github actions, gitlab ci, jenkins, circleci, argo cd, argocd
Linux: linux, unix
Observability: observability, prometheus, grafana, datadog, opentelemetry, new relic, monitoring
Site reliability engineering: sre, site reliability, site reliability engineering
Serverless: serverless
Git: git, github, gitlab
Testing: unit testing, integration testing, tdd, test-driven development, jest, vitest, mocha, pytest, junit
Security: application security, appsec, owasp, security engineering
Performance optimization: performance tuning, performance optimization, performance optimisation, latency optimization
Machine learning: machine learning, ml, statistical learning
Deep learning: deep learning, neural networks, neural network
PyTorch: pytorch, torch, libtorch
TensorFlow: tensorflow, tf!, keras
JAX: jax
scikit-learn: scikit-learn, sklearn, scikit learn
XGBoost: xgboost, lightgbm, catboost, gradient boosting
Pandas: pandas
NumPy: numpy
Jupyter: jupyter, notebooks
LLMs: llm, llms, large language models, large language model, gpt, generative ai, genai
LLM serving: llm serving, model serving, inference serving, inference server, vllm, tgi, text generation inference, triton, triton inference server, tensorrt-llm, tensorrt, ray serve, kserve
vLLM: vllm => LLM serving
Triton: triton, triton inference server => LLM serving
CUDA: cuda, cudnn, nccl, gpu programming, gpu kernels
GPUs: gpu, gpus, gpu clusters, gpu cluster, a100, h100
Distributed training: distributed training, ddp, fsdp, deepspeed, megatron, horovod, model parallelism, data parallelism
MLOps: mlops, ml ops, mlflow, kubeflow, sagemaker, vertex ai, weights & biases, wandb, feature store
Ray: ray!, ray cluster, anyscale
LangChain: langchain
LlamaIndex: llamaindex, llama index, llama-index
Hugging Face: hugging face, huggingface, transformers library
RAG: rag, retrieval-augmented generation, retrieval augmented generation
NLP: nlp, natural language processing
Computer vision: computer vision, image recognition, opencv
Recommender systems: recommender systems, recommendation systems, recommendations engine
Statistics: statistics, statistical analysis, a/b testing, ab testing, experimentation, hypothesis testing
Apache Spark: spark, apache spark, pyspark, spark sql, databricks
Airflow: airflow, apache airflow, airflow 2
dbt: dbt, data build tool
Snowflake: snowflake
BigQuery: bigquery, big query => GCP
Redshift: redshift, amazon redshift => AWS
Data warehousing: data warehouse, data warehousing, data warehouses, dimensional modeling, dimensional modelling, kimball, star schema
ETL: etl, elt, data pipelines, data pipeline, etl pipelines, elt pipelines
Data modeling: data modeling, data modelling
Streaming: stream processing, streaming, flink, apache flink, kinesis, spark streaming
Hadoop: hadoop, hive, hdfs
Dagster: dagster
Prefect: prefect
Fivetran: fivetran, airbyte, stitch!
Looker: looker, lookml
Tableau: tableau
Power BI: power bi, powerbi
Data quality: data quality, great expectations, data observability, data contracts
Excel: excel!, spreadsheets, google sheets
Figma: figma, figjam
Sketch: sketch!
Adobe XD: adobe xd
Adobe Creative Suite: photoshop, illustrator, indesign, adobe creative suite, creative cloud, after effects
Design systems: design systems, design system, component library, ui kit
User research: user research, usability testing, user interviews, ux research, customer interviews, usability studies, contextual inquiry
Prototyping: prototyping, prototypes, prototype, interactive prototypes, protopie, framer
Wireframing: wireframing, wireframes, wireframe
Interaction design: interaction design, ixd
Visual design: visual design, ui design
UX design: ux design, user experience design, user experience, ux
Information architecture: information architecture
Accessibility: accessibility, a11y, wcag
Design thinking: design thinking
Journey mapping: journey mapping, journey maps, service design
Branding: branding, brand identity, logo design
Typography: typography
B2B SaaS: b2b saas, b2b, saas, enterprise software
Fintech: fintech, payments, banking, financial services
Healthcare: healthtech, healthcare, health tech
E-commerce: e-commerce, ecommerce, marketplace
Agile: agile, scrum, kanban
Product management: product management, roadmapping, product roadmap
Leadership: team lead, tech lead, people management, mentoring, mentorship, led a team, managed a team
Stakeholder management: stakeholder management, cross-functional collaboration
Communication: communication skills
`;

export interface Skill {
  /** Canonical name, shown to users. */
  name: string;
  /** Token used in the full-text index: lowercase letters and digits only. */
  token: string;
  implies: string[];
}

interface Alias {
  text: string;
  skill: string;
  /** Only as a skills-list entry, never in free text. */
  listOnly: boolean;
}

/** "Node.js" → "nodejs", "C++" → "cplusplus", "C#" → "csharp", "CI/CD" → "cicd". */
export function skillToken(name: string): string {
  return name
    .toLowerCase()
    .replace(/\+/g, 'plus')
    .replace(/#/g, 'sharp')
    .replace(/^\./, 'dot')
    .replace(/[^a-z0-9]/g, '');
}

function parseTable(table: string): { skills: Map<string, Skill>; aliases: Alias[] } {
  const skills = new Map<string, Skill>();
  const aliases: Alias[] = [];
  for (const line of table.split('\n')) {
    if (!line.trim()) continue;
    const [head, rest = ''] = line.split(/:\s/, 2) as [string, string?];
    const [aliasList = '', impliesList] = rest.split('=>');
    const name = head.trim();
    const implies = impliesList ? impliesList.split(',').map((s) => s.trim()) : [];
    skills.set(name.toLowerCase(), { name, token: skillToken(name), implies });
    const seen = new Set<string>();
    // The aliases first: a `!` on an alias that spells the name itself makes the name list-only too.
    for (const raw of [...aliasList.split(','), name]) {
      const listOnly = raw.trim().endsWith('!');
      const text = raw.trim().replace(/!$/, '').toLowerCase();
      if (!text || seen.has(text)) continue;
      seen.add(text);
      aliases.push({ text, skill: name, listOnly });
    }
  }
  return { skills, aliases };
}

const { skills: SKILLS, aliases: ALIASES } = parseTable(TABLE);

const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/**
 * One regular expression over every free-text alias, longest first so "react native" wins over
 * "react" at the same place. Edges: not inside a word, and "node.js" still ends before a full stop.
 */
const FREE_TEXT = new RegExp(
  `(?<![\\p{L}\\p{N}+#@._-])(${ALIASES.filter((a) => !a.listOnly)
    .map((a) => a.text)
    .sort((a, b) => b.length - a.length)
    .map(escape)
    .join('|')})(?![\\p{L}\\p{N}+#_]|\\.[\\p{L}\\p{N}])`,
  'giu',
);

const ALIAS_TO_SKILL = new Map(ALIASES.map((a) => [a.text, a.skill]));

/** The skill and everything it implies, canonical names. */
function withImplied(name: string): string[] {
  const skill = SKILLS.get(name.toLowerCase());
  return skill ? [skill.name, ...skill.implies.flatMap(withImplied)] : [name];
}

export interface SkillMention {
  skill: string;
  /** Character offset in the text (for grouping alternatives in a sentence). */
  index: number;
  end: number;
  /** Implied by the skill written here (EKS → Kubernetes), not written itself. */
  implied: boolean;
}

/** Every recognised skill mentioned in free text, in order, implied skills at the same place. */
export function skillsInText(text: string): SkillMention[] {
  const found: SkillMention[] = [];
  for (const match of text.matchAll(FREE_TEXT)) {
    const skill = ALIAS_TO_SKILL.get(match[1]!.toLowerCase());
    if (!skill) continue;
    withImplied(skill).forEach((name, i) => found.push({ skill: name, index: match.index!, end: match.index! + match[0].length, implied: i > 0 }));
  }
  return found;
}

/**
 * The canonical skills of one entry of a skills list ("k8s", "Postgres 15", "Go"): an exact
 * alias (ambiguous ones allowed here), else whatever free-text aliases it contains.
 */
export function skillsOfListEntry(entry: string): string[] {
  const text = entry.trim().toLowerCase();
  const exact = ALIAS_TO_SKILL.get(text) ?? ALIAS_TO_SKILL.get(text.replace(/\s*\(.*\)$|\s+v?\d+(\.\d+)*$/, ''));
  if (exact) return withImplied(exact);
  return [...new Set(skillsInText(entry).map((m) => m.skill))];
}

/** Canonical display name for a skill the table may not know: its own name, else as written. */
export function canonicalSkill(name: string): string {
  return SKILLS.get(name.toLowerCase())?.name ?? ALIAS_TO_SKILL.get(name.toLowerCase()) ?? name.trim();
}
