import { getPrisma } from "@/server/db/prisma";
import { listBaseModels } from "@/server/services/models";

export const dynamic = "force-dynamic";

export default async function ModelsPage() {
  const models = await listBaseModels(getPrisma());
  return (
    <>
      <h1>Base models</h1>
      {models.length === 0 ? (
        <p className="muted">No base models. `npm start` seeds the shipped ones from the models/ folder.</p>
      ) : (
        <table>
          <thead>
            <tr>
              <th>Name</th>
              <th>Family</th>
              <th>Parameters</th>
              <th>Architecture</th>
              <th>Runs</th>
              <th>Description</th>
            </tr>
          </thead>
          <tbody>
            {models.map((m) => {
              const a = m.architecture as Record<string, number>;
              return (
                <tr key={m.id}>
                  <td>{m.name}</td>
                  <td>{m.family}</td>
                  <td>{m.paramCount.toLocaleString("en-US")}</td>
                  <td>{m.external ? "external" : `width ${a.width}, depth ${a.depth}, heads ${a.heads}, context ${a.context}`}</td>
                  <td>{m.runCount}</td>
                  <td className="muted">{m.description}</td>
                </tr>
              );
            })}
          </tbody>
        </table>
      )}
    </>
  );
}
