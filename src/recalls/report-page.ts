// The printable final report of a recall (HTML; print it to PDF from the browser): scope, holders,
// their actions, quantities and the times. Pure.
import { LOT_STATUS_NAMES_ZH, UNIT_NAMES_ZH } from '../lots/names-zh.js';
import { html, layout, shanghaiTime } from '../web/html.js';
import { stillToDestroy } from './deadlines.js';
import type { RecallReport } from './schemas.js';

const LEVEL_NAMES: Record<number, string> = { 1: '一级', 2: '二级', 3: '三级' };
const statusName = (status: string) => (LOT_STATUS_NAMES_ZH as Record<string, string>)[status] ?? status;
const unitName = (unit: string) => UNIT_NAMES_ZH[unit] ?? unit;
const time = (value: Date | null) => (value ? shanghaiTime(value.toISOString()) : '—');
// Each table scrolls sideways in a container of its own on a phone, rather than widening the page;
// on paper it is printed whole.
const REPORT_CSS = `
.wide{overflow-x:auto;max-width:100%}
.wide table{border-collapse:collapse;font-size:.9rem}
.wide th,.wide td{padding:4px 8px;border-bottom:1px solid #eee;text-align:left;vertical-align:top}
@media print{.wide{overflow:visible}}
`;

/** `back`: a link to where the reader came from (the dashboard), or none (the page of the API). */
export function recallReportPage(report: RecallReport, back?: { href: string; text: string }): string {
  const { recall, lots, actions } = report;
  const body = html`<section><h1>召回报告 · Recall report</h1>
<dl><dt>召回编号</dt><dd><code>${recall.id}</code></dd>
<dt>级别</dt><dd>${LEVEL_NAMES[recall.level] ?? recall.level}</dd>
<dt>发起方</dt><dd>${recall.openedBy.name} <code>${recall.partyCode}</code></dd>
<dt>原因</dt><dd>${recall.reason}</dd>
<dt>危害</dt><dd>${recall.hazard}</dd>
<dt>状态</dt><dd>${recall.status === 'open' ? '进行中' : '已结束'}${recall.overrideReason ? html` — 监管强制结束：${recall.overrideReason}` : ''}</dd>
<dt>发起时间</dt><dd>${time(recall.openedAt)}</dd>
<dt>启动期限 / 启动时间</dt><dd>${time(recall.startDueAt)} / ${time(recall.startedAt)}</dd>
<dt>完成期限 / 结束时间</dt><dd>${time(recall.finishDueAt)} / ${time(recall.closedAt)}</dd>
${recall.closedBy && html`<dt>结束方</dt><dd>${recall.closedBy.name} <code>${recall.closedBy.partyCode}</code></dd>`}
<dt>进度（已从市场收回）</dt><dd>${Math.round(recall.progress.share * 1000) / 10}% ${recall.progress.byUnit.map((unit) => `(${unit.recovered}/${unit.affected} ${unitName(unit.unit)})`).join(' ')}</dd>
<dt>已销毁</dt><dd>${Math.round(recall.disposal.share * 1000) / 10}% ${recall.disposal.byUnit.map((unit) => `(${unit.destroyed}/${unit.recovered} ${unitName(unit.unit)})`).join(' ')}</dd>
${recall.soldBeforeRecall && html`<dt>召回前已售</dt><dd>${recall.soldBeforeRecall.total.length ? recall.soldBeforeRecall.total.map((total) => `${total.quantity} ${unitName(total.unit)}`).join(' · ') : '0'}${recall.soldBeforeRecall.lots.map((lot) => html` <span class="muted">(<code>${lot.lotCode}</code> ${lot.quantity} ${unitName(lot.unit)})</span>`)}</dd>`}
${recall.scans === null ? null : html`<dt>召回后扫码</dt><dd>${recall.scans} 次</dd>`}
${recall.scope && html`<dt>范围</dt><dd>${recall.scope.lots} 批次 · ${recall.scope.containers} 箱/托盘 · ${recall.scope.items} 个单品码 · ${recall.holders} 个持有方</dd>`}</dl></section>
<section><h2>持有方 · Holders</h2><div class="wide"><table><thead><tr><th>主体</th><th>联系人</th><th>电话</th><th>确认时间</th><th>批次</th><th>涉及</th><th>退回</th><th>销毁</th></tr></thead><tbody>
${recall.holderDetails.flatMap((holder) =>
  (holder.lines.length ? holder.lines : [null]).map(
    (
      line,
    ) => html`<tr><td>${holder.name} <code>${holder.partyCode}</code></td><td>${holder.contact?.person ?? ''}</td><td>${holder.contact?.phone ?? ''}</td>
<td>${time(holder.acknowledgedAt)}</td><td><code>${line?.lotCode ?? ''}</code></td><td>${line ? `${line.affected} ${unitName(line.unit)}` : ''}</td><td>${line?.returned ?? ''}</td><td>${line?.destroyed ?? ''}</td></tr>
`,
  ),
)}</tbody></table></div></section>
${
  recall.returns.length > 0 &&
  html`<section><h2>退回处置 · Returned stock</h2><div class="wide"><table><thead><tr><th>退回至</th><th>批次</th><th>退回</th><th>已收到</th><th>途中损失</th><th>已销毁</th><th>退回待销毁</th></tr></thead><tbody>
${recall.returns.map(
  (
    line,
  ) => html`<tr><td>${line.name} <code>${line.partyCode}</code></td><td><code>${line.lotCode}</code></td><td>${line.sent} ${unitName(line.unit)}</td>
<td>${line.received} ${unitName(line.unit)}</td><td>${line.lost} ${unitName(line.unit)}</td><td>${line.destroyed} ${unitName(line.unit)}</td><td>${stillToDestroy(line)} ${unitName(line.unit)}</td></tr>
`,
)}</tbody></table></div></section>`
}
<section><h2>处置记录 · Actions</h2><div class="wide"><table><thead><tr><th>时间</th><th>主体</th><th>批次</th><th>退回</th><th>销毁</th><th>说明</th></tr></thead><tbody>
${actions.map(
  (
    action,
  ) => html`<tr><td>${time(action.reportedAt)}</td><td><code>${action.partyCode}</code></td><td><code>${action.lotCode ?? '确认'}</code></td>
<td>${action.returned}</td><td>${action.destroyed}</td><td>${action.note ?? ''}</td></tr>
`,
)}</tbody></table></div></section>
<section><h2>涉及批次 · Lots</h2><div class="wide"><table><thead><tr><th>编码</th><th>类型</th><th>产品</th><th>批号</th><th>所有方</th><th>层级</th><th>单品码</th><th>状态</th></tr></thead><tbody>
${lots.map(
  (
    lot,
  ) => html`<tr><td><code>${lot.code}</code></td><td>${lot.kind === 'container' ? '箱/托盘' : '批次'}</td><td>${lot.product ?? ''}</td><td>${lot.lotNumber ?? ''}</td>
<td><code>${lot.partyCode}</code></td><td>${lot.depth}</td><td>${lot.itemCount ?? ''}</td><td>${statusName(lot.status)}</td></tr>
`,
)}</tbody></table></div></section>
<p class="muted">生成时间 ${time(report.generatedAt)}</p>${back && html`<p><a href="${back.href}">${back.text}</a></p>`}`;
  return layout('zh-CN', `召回报告 ${recall.id}`, null, body, REPORT_CSS);
}
