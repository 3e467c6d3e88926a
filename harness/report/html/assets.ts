// The report's only style and script, inlined: the file must open anywhere with nothing fetched.

export const STYLE = `
:root{--pass:#1a7f37;--pass-bg:#dafbe1;--fail:#cf222e;--fail-bg:#ffebe9;--error:#bc4c00;--error-bg:#fff1e5;--skip:#6e7781;--skip-bg:#f0f2f4;
--fg:#1f2328;--muted:#656d76;--line:#d0d7de;--bg:#f6f8fa;--card:#fff;--mono:ui-monospace,SFMono-Regular,"DejaVu Sans Mono",Menlo,Consolas,monospace}
*{box-sizing:border-box}
body{margin:0;font:14px/1.45 system-ui,-apple-system,"Segoe UI","DejaVu Sans",sans-serif;color:var(--fg);background:var(--bg)}
header.top{background:#24292f;color:#fff;padding:14px 24px;display:flex;flex-wrap:wrap;gap:8px 24px;align-items:baseline}
header.top h1{font-size:20px;margin:0;font-weight:600;letter-spacing:.2px}
header.top .meta{color:#c9d1d9;font-size:13px}
header.top .counts{display:flex;gap:6px;margin-left:auto}
main{padding:16px 24px 48px;max-width:1500px;margin:0 auto}
h2{font-size:16px;margin:22px 0 8px}
h3{font-size:14px;margin:18px 0 6px;color:#424a53;text-transform:uppercase;letter-spacing:.6px}
h4{font-size:13px;margin:14px 0 4px}
.muted{color:var(--muted)}.small{font-size:12px}.mono{font-family:var(--mono)}
.banner{padding:8px 12px;border-radius:6px;margin:12px 0;background:var(--error-bg);border:1px solid #ffb77c}
.chip{display:inline-block;min-width:46px;text-align:center;padding:1px 7px;border-radius:10px;font-size:12px;font-weight:700;letter-spacing:.4px;color:#fff}
.chip.st-pass{background:var(--pass)}.chip.st-fail{background:var(--fail)}.chip.st-error{background:var(--error)}.chip.st-skip{background:var(--skip)}
.count-chip{border-radius:12px;padding:2px 10px;font-size:13px;font-weight:600;cursor:pointer;border:0;color:#fff}
.count-chip.off{opacity:.35;text-decoration:line-through}
.count-chip.st-pass{background:var(--pass)}.count-chip.st-fail{background:var(--fail)}.count-chip.st-error{background:var(--error)}.count-chip.st-skip{background:var(--skip)}
.toolbar{display:flex;gap:8px;align-items:center;margin:8px 0}
button.tool{font:inherit;font-size:12px;padding:3px 10px;border:1px solid var(--line);border-radius:6px;background:var(--card);cursor:pointer}
table.matrix{border-collapse:separate;border-spacing:4px;background:var(--card);border:1px solid var(--line);border-radius:8px;padding:6px}
table.matrix th{font-weight:600;text-align:center;padding:4px 10px;font-family:var(--mono);font-size:13px}
table.matrix th.scenario{text-align:right;font-weight:500}
table.matrix th.corner{color:var(--muted);font-family:inherit;font-weight:400;font-size:12px}
td.cell{min-width:110px;border-radius:6px;text-align:center;padding:0}
td.cell a{display:block;padding:7px 10px;color:inherit;text-decoration:none}
td.cell .cell-label{display:block;font-weight:700;letter-spacing:.5px}
td.cell .cell-time{display:block;font-size:11px;opacity:.8}
td.cell.st-pass{background:var(--pass-bg);color:var(--pass);box-shadow:inset 0 0 0 1px #aceebb}
td.cell.st-fail{background:var(--fail);color:#fff}
td.cell.st-error{background:var(--error);color:#fff}
td.cell.st-skip{background:var(--skip-bg);color:var(--skip);box-shadow:inset 0 0 0 1px var(--line)}
td.cell.none{color:#bbb}
td.cell a:hover{outline:2px solid #0969da;border-radius:6px}
section.run{background:var(--card);border:1px solid var(--line);border-left:6px solid var(--skip);border-radius:8px;margin:12px 0}
section.run.st-pass{border-left-color:var(--pass)}section.run.st-fail{border-left-color:var(--fail)}section.run.st-error{border-left-color:var(--error)}
section.run.filtered{display:none}
section.run>details>summary{padding:10px 14px;cursor:pointer;font-size:15px;list-style-position:outside}
.run-id{font-family:var(--mono);font-weight:600}.run-id .at{color:var(--muted);padding:0 1px}
.run-headline{font-family:var(--mono);font-size:13px;color:var(--fail)}
section.run.st-error .run-headline{color:var(--error)}
.run-body{padding:0 16px 16px}
dl.facts{display:grid;grid-template-columns:max-content 1fr;gap:2px 14px;margin:4px 0 8px;font-size:13px}
dl.facts dt{color:var(--muted)}dl.facts dd{margin:0;font-family:var(--mono);word-break:break-all}
.failure{border:1px solid #ff818266;background:var(--fail-bg);border-radius:8px;padding:10px 14px;margin:10px 0}
.failure.st-error{border-color:#ffb77c;background:var(--error-bg)}
.failure .verdict{font-weight:600}
.failure .where{margin:4px 0;font-family:var(--mono);font-size:13px}
.failure pre.headline{font-family:var(--mono);font-size:14px;font-weight:600;white-space:pre-wrap;margin:6px 0;color:#82071e}
.failure.st-error pre.headline{color:#762c00}
.failure .hint{margin:8px 0 0}
.log{font-family:var(--mono);font-size:12px;line-height:1.5;background:#0d1117;color:#d1d7e0;border-radius:6px;padding:6px 0;overflow:auto;max-height:560px}
.log.evidence,.log.step-dmesg,.log.around{max-height:360px}
.log .ln{white-space:pre;padding:0 10px 0 7.5ch;text-indent:-7.5ch;min-width:max-content}
.log .ln::before{content:attr(data-n);display:inline-block;width:5.5ch;margin-right:2ch;text-align:right;color:#6e7681;text-indent:0}
.logview.wrap .log .ln{white-space:pre-wrap;word-break:break-all;min-width:0}
.log .ln[hidden]{display:none}
.log.big .ln{content-visibility:auto;contain-intrinsic-size:auto 18px}
.log .ln.ke{background:#5a1d1d;color:#ffdcd7;font-weight:600}
.log .ln.ke::before{color:#ffa198}
.log .ln.at{color:#f2cc60}
.log .ln.mk{background:#3b2e00;box-shadow:inset 3px 0 0 #e3b341}
.log .ln.ke.mk{background:#6e1f1f}
.log mark{background:#e3b341;color:#0d1117;border-radius:2px}
.log .gap{color:#6e7681;padding-left:6ch}
.log-section{margin:6px 0;border:1px solid var(--line);border-radius:6px;padding:4px 8px;background:#fbfcfd}
.log-section>summary{cursor:pointer;font-weight:600;padding:3px 0}
.log-tools{display:flex;gap:12px;align-items:center;margin:6px 0;flex-wrap:wrap}
.log-search{font:inherit;font-family:var(--mono);font-size:13px;padding:4px 8px;border:1px solid var(--line);border-radius:6px;min-width:340px}
.logview.bad-regex .log-search{border-color:var(--fail);outline:1px solid var(--fail)}
.badge{font-size:11px;border-radius:10px;padding:1px 7px;margin-left:6px}
.ke-badge{background:var(--fail);color:#fff}
.known-badge{background:#8250df;color:#fff}
.known{border:1px solid #c297ff;background:#fbefff;border-radius:8px;padding:8px 12px;margin:8px 0}
.known.expired{border-color:#ffb77c;background:var(--error-bg)}
.omitted{font-size:12px;color:var(--error);margin:4px 0}
.timeline{border:1px solid var(--line);border-radius:6px;padding:6px 8px;background:#fbfcfd}
.tl-row{display:grid;grid-template-columns:minmax(180px,330px) 1fr 70px;align-items:center;gap:10px;min-height:20px}
.tl-row+.tl-row{border-top:1px dashed #eaeef2}
.tl-label{font-size:12px;white-space:nowrap;overflow:hidden;text-overflow:ellipsis;font-family:var(--mono)}
.tl-row.phase .tl-label{color:#424a53}
.tl-track{position:relative;height:14px;background:repeating-linear-gradient(90deg,transparent 0 calc(10% - 1px),#eef1f4 calc(10% - 1px) 10%)}
.tl-axis .tl-track{height:16px;background:none}
.tl-tick{position:absolute;top:0;font-size:11px;color:var(--muted);transform:translateX(-50%);white-space:nowrap}
.tl-tick:first-child{transform:none}
.tl-bar{position:absolute;top:1px;bottom:1px;min-width:2px;border-radius:3px;background:#8c959f}
.tl-dur{font-size:12px;text-align:right;font-variant-numeric:tabular-nums;color:var(--muted)}
.tl-row.longest .tl-dur{color:var(--fg);font-weight:700}
.tl-row.longest .tl-label::after{content:" ◀ longest";color:#9a6700;font-family:system-ui,sans-serif;font-size:11px}
.tl-row.phase .tl-bar{background:#54aeff}
.tl-row.ph-device-tree .tl-bar{background:#8c959f}
.tl-row.ph-qemu-start .tl-bar{background:#6f42c1}
.tl-row.ph-kernel-boot .tl-bar{background:#0969da}
.tl-row.ph-ssh-ready .tl-bar{background:#1b7c83}
.tl-row.ph-self-check .tl-bar{background:#4ac26b}
.tl-row.ph-push .tl-bar,.tl-row.ph-deploy .tl-bar,.tl-row.ph-proof .tl-bar{background:#bf3989}
.tl-row.step.st-pass .tl-bar{background:var(--pass)}
.tl-row.step.st-fail .tl-bar{background:var(--fail)}
.tl-row.step.st-error .tl-bar{background:var(--error)}
.tl-row.step.st-fail .tl-label,.tl-row.step.st-error .tl-label{color:var(--fail);font-weight:700}
.tl-row.not-run .tl-label{color:#aab1b9}
table.steps{border-collapse:collapse;width:100%;font-size:13px}
table.steps th{text-align:left;color:var(--muted);font-weight:500;border-bottom:1px solid var(--line);padding:4px 8px}
table.steps td{border-bottom:1px solid #eaeef2;padding:5px 8px;vertical-align:top}
table.steps tr.deciding td{background:var(--fail-bg)}
table.steps tr.st-skip{color:#8c959f}
table.steps .step-title{font-weight:600}
table.steps .step-failure{font-family:var(--mono);font-size:12px;color:#82071e;margin-top:3px;white-space:pre-wrap}
table.steps ul{margin:2px 0;padding-left:18px;font-size:12px}
td.num{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}
.rproc{border:1px solid var(--line);border-radius:6px;padding:6px 10px;margin:6px 0;background:#fbfcfd}
.rp-head{font-size:13px;display:flex;gap:8px;align-items:center}
.rp-head b{font-family:var(--mono);font-size:14px}
.rp-strip{display:flex;height:16px;border-radius:3px;overflow:hidden;margin:5px 0;background:#eaeef2}
.rp-axis{display:flex;justify-content:space-between;font-size:11px;margin-top:-3px}
.rp-seg{display:block;height:100%;min-width:2px;border-right:1px solid #fff;color:#fff;font-size:10px;line-height:16px;padding-left:4px;overflow:hidden;white-space:nowrap}
.rp-state{font-size:11px;font-weight:700;padding:1px 6px;border-radius:9px;color:#fff;background:#8c959f}
.rp-offline,.rp-detached{background:#8c959f}.rp-starting,.rp-loading,.rp-attaching{background:#0969da}
.rp-running,.rp-attached{background:var(--pass)}.rp-crashed{background:var(--fail)}.rp-recovering{background:#d4a72c}.rp-failed{background:#82071e}
.rp-table{border-collapse:collapse;font-size:12px;margin:4px 0}
.rp-table td,.rp-table th{padding:2px 8px;border-bottom:1px solid #eaeef2;text-align:left}
footer{color:var(--muted);font-size:12px;padding:12px 24px}
`;

/** Search and filters; the report reads fine without it. */
export const SCRIPT = `
(function(){
  var MAX_MARKED=2000;
  /** Where the query matches in a line: [start, end) or null. */
  function locate(query,re,text){
    if(re){re.lastIndex=0;var m=re.exec(text);return m&&m[0].length?[m.index,m.index+m[0].length]:null;}
    var at=text.toLowerCase().indexOf(query);return at===-1?null:[at,at+query.length];
  }
  function unmark(view){
    // Reading textContent joins the text around a <mark>; writing it back leaves one plain text node.
    (view.marked||[]).forEach(function(line){line.textContent=line.textContent;});
    view.marked=[];
  }
  function mark(line,span){
    var text=line.textContent,m=document.createElement('mark');
    m.textContent=text.slice(span[0],span[1]);
    line.textContent='';
    line.append(text.slice(0,span[0]),m,text.slice(span[1]));
  }
  function apply(view){
    var input=view.querySelector('.log-search'), errorsOnly=view.querySelector('.log-errors-only'), count=view.querySelector('.log-count');
    var query=input.value.trim(), re=null, active=false;
    view.classList.remove('bad-regex');
    unmark(view);
    if(query.length>2&&query.charAt(0)==='/'&&query.charAt(query.length-1)==='/'){
      try{re=new RegExp(query.slice(1,-1),'i');active=true;}catch(e){view.classList.add('bad-regex');}
    }else if(query){query=query.toLowerCase();active=true;}
    var lines=view.querySelectorAll('.log .ln'),shown=0;
    for(var i=0;i<lines.length;i++){
      var line=lines[i],span=active?locate(query,re,line.textContent):null;
      var ok=(!errorsOnly.checked||line.classList.contains('ke'))&&(!active||span!==null);
      if(line.hidden===ok)line.hidden=!ok;
      if(ok){shown++;if(span&&view.marked.length<MAX_MARKED){mark(line,span);view.marked.push(line);}}
    }
    count.textContent=(active||errorsOnly.checked)?shown+' of '+lines.length+' lines':lines.length+' lines';
  }
  document.querySelectorAll('.logview').forEach(function(view){
    var timer=0;
    view.querySelector('.log-search').addEventListener('input',function(){clearTimeout(timer);timer=setTimeout(function(){apply(view);},80);});
    view.querySelector('.log-errors-only').addEventListener('change',function(){apply(view);});
    view.querySelector('.log-wrap').addEventListener('change',function(e){view.classList.toggle('wrap',e.target.checked);});
  });
  document.querySelectorAll('.count-chip').forEach(function(chip){
    chip.addEventListener('click',function(){
      chip.classList.toggle('off');
      var status=chip.getAttribute('data-status'),hide=chip.classList.contains('off');
      document.querySelectorAll('section.run[data-status="'+status+'"]').forEach(function(run){run.classList.toggle('filtered',hide);});
    });
  });
  function setAll(open){document.querySelectorAll('section.run>details').forEach(function(d){d.open=open;});}
  var expand=document.getElementById('expand-all'),collapse=document.getElementById('collapse-all');
  if(expand)expand.addEventListener('click',function(){setAll(true);});
  if(collapse)collapse.addEventListener('click',function(){setAll(false);});
  function openTarget(){
    var id=decodeURIComponent(location.hash.slice(1));if(!id)return;
    var target=document.getElementById(id);if(!target)return;
    for(var node=target;node;node=node.parentElement){if(node.tagName==='DETAILS')node.open=true;}
    var inner=target.querySelector('details');if(inner)inner.open=true;
    target.scrollIntoView();
  }
  window.addEventListener('hashchange',openTarget);openTarget();
})();
`;
